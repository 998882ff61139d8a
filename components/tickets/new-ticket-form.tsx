"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ErrorText } from "@/components/ui/field";
import { priorities } from "@/lib/schemas/conversation";
import type { TicketResponse } from "@/lib/schemas/ticket";
import { sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";

/**
 * Opens a ticket for a conversation (its contact panel) or a contact (their page). The subject is
 * required; the rest can be filled in on the ticket's page.
 */
export function NewTicketForm({ conversationId, contactId, onCreated }: { conversationId?: string; contactId?: string; onCreated?: (t: TicketResponse) => void }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [subject, setSubject] = useState("");
  const [description, setDescription] = useState("");
  const [priority, setPriority] = useState("normal");
  const [created, setCreated] = useState<TicketResponse | null>(null);
  const { busy, error, run } = useAction();

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const res = await run(() => sendJson<{ ticket: TicketResponse }>("/api/tickets", "POST", { subject, description, priority, conversationId, contactId }));
    if (!res) return;
    setCreated(res.ticket);
    setSubject("");
    setDescription("");
    setPriority("normal");
    setOpen(false);
    onCreated?.(res.ticket);
    router.refresh();
  }

  if (!open) {
    return (
      <div className="space-y-1">
        <Button type="button" variant="secondary" onClick={() => setOpen(true)}>
          New ticket
        </Button>
        {created && (
          <p role="status" className="text-xs text-emerald-700">
            Opened{" "}
            <a className="underline" href={`/tickets/${created.id}`}>
              {created.number}
            </a>
          </p>
        )}
      </div>
    );
  }
  return (
    <form onSubmit={submit} aria-label="New ticket" className="space-y-2 rounded-md border border-slate-200 p-2">
      <label className="block text-xs text-slate-600">
        Subject
        <input autoFocus required maxLength={200} value={subject} onChange={(e) => setSubject(e.target.value)} className="mt-0.5 block w-full rounded border border-slate-300 px-1.5 py-1 text-sm text-slate-900" />
      </label>
      <label className="block text-xs text-slate-600">
        Description
        <textarea rows={3} maxLength={10_000} value={description} onChange={(e) => setDescription(e.target.value)} className="mt-0.5 block w-full rounded border border-slate-300 px-1.5 py-1 text-sm text-slate-900" />
      </label>
      <label className="block text-xs text-slate-600">
        Priority
        <select value={priority} onChange={(e) => setPriority(e.target.value)} className="mt-0.5 block w-full rounded border border-slate-300 bg-white px-1.5 py-1 text-sm text-slate-900">
          {priorities.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <ErrorText>{error}</ErrorText>
      <div className="flex gap-1">
        <Button type="submit" disabled={busy}>
          {busy ? "Opening…" : "Open ticket"}
        </Button>
        <Button type="button" variant="ghost" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
