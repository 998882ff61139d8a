"use client";

import { useState } from "react";
import useSWR from "swr";
import { Button } from "@/components/ui/button";
import { ErrorText, TextField } from "@/components/ui/field";
import type { CannedResponse } from "@/lib/schemas/canned-response";
import { fetcher, sendJson } from "@/lib/swr/fetcher";

type Draft = { id: string | null; shortcut: string; title: string; body: string };
const empty: Draft = { id: null, shortcut: "", title: "", body: "" };

/** Supervisors' page for saved replies: agents insert them in the composer by typing "/" and the shortcut. */
export function CannedResponsesManager({ initial }: { initial: CannedResponse[] }) {
  const { data, mutate } = useSWR<{ cannedResponses: CannedResponse[] }>("/api/canned-responses", fetcher, { fallbackData: { cannedResponses: initial } });
  const items = data?.cannedResponses ?? [];
  const [draft, setDraft] = useState<Draft>(empty);
  const [error, setError] = useState<string | null>(null);

  async function save(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const body = { shortcut: draft.shortcut, title: draft.title, body: draft.body };
      if (draft.id) await sendJson(`/api/canned-responses/${draft.id}`, "PATCH", body);
      else await sendJson("/api/canned-responses", "POST", body);
      setDraft(empty);
      await mutate();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  async function remove(c: CannedResponse) {
    if (!confirm(`Delete the saved reply /${c.shortcut}?`)) return;
    setError(null);
    try {
      await sendJson(`/api/canned-responses/${c.id}`, "DELETE");
      await mutate();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <section className="max-w-3xl space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Saved replies</h1>
        <p className="text-slate-500">Agents type “/” in the reply box to insert one. {items.length} saved.</p>
      </div>
      <ErrorText>{error}</ErrorText>
      <form onSubmit={save} className="space-y-2 rounded-lg bg-white p-4 ring-1 ring-slate-200" aria-label={draft.id ? "Edit saved reply" : "New saved reply"}>
        <div className="grid gap-2 sm:grid-cols-2">
          <TextField label="Shortcut (after /)" value={draft.shortcut} onChange={(e) => setDraft({ ...draft, shortcut: e.target.value })} required maxLength={30} pattern="[a-zA-Z0-9][a-zA-Z0-9_-]*" />
          <TextField label="Title" value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} required maxLength={100} />
        </div>
        <label className="block text-sm font-medium text-slate-700">
          Text
          <textarea value={draft.body} onChange={(e) => setDraft({ ...draft, body: e.target.value })} required maxLength={4096} rows={4} className="mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm" />
        </label>
        <div className="flex gap-2">
          <Button type="submit">{draft.id ? "Save changes" : "Add saved reply"}</Button>
          {draft.id && (
            <Button type="button" variant="ghost" onClick={() => setDraft(empty)}>
              Cancel
            </Button>
          )}
        </div>
      </form>
      <ul className="divide-y divide-slate-100 rounded-lg bg-white ring-1 ring-slate-200">
        {items.map((c) => (
          <li key={c.id} className="flex items-start gap-3 p-3" data-testid={`canned-${c.shortcut}`}>
            <div className="min-w-0 flex-1">
              <p className="font-medium">
                /{c.shortcut} <span className="font-normal text-slate-500">· {c.title}</span>
              </p>
              <p className="whitespace-pre-wrap text-sm text-slate-600">{c.body}</p>
            </div>
            <Button variant="secondary" onClick={() => setDraft({ id: c.id, shortcut: c.shortcut, title: c.title, body: c.body })}>
              Edit
            </Button>
            <Button variant="danger" onClick={() => void remove(c)}>
              Delete
            </Button>
          </li>
        ))}
        {items.length === 0 && <li className="p-4 text-sm text-slate-500">No saved replies yet.</li>}
      </ul>
    </section>
  );
}
