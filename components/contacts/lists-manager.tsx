"use client";

import Link from "next/link";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ErrorText, TextField } from "@/components/ui/field";
import { encodeFilter } from "@/lib/schemas/contact-directory";
import { sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";

type List = { id: string; name: string; description: string | null; members: number | null };

const onList = (id: string) => `/contacts?filter=${encodeFilter({ match: "all", conditions: [{ field: "listIds", op: "has_any", value: [id] }] })}`;

/** Static lists with their member counts: open one in the directory, create, delete (its contacts stay). */
export function ListsManager({ initial, canManage }: { initial: List[]; canManage: boolean }) {
  const [lists, setLists] = useState(initial);
  const [name, setName] = useState("");
  const { busy, error, run } = useAction();

  async function create(e: React.FormEvent) {
    e.preventDefault();
    const res = await run(() => sendJson<{ list: List }>("/api/contact-lists", "POST", { name }));
    if (!res) return;
    setLists([...lists, { ...res.list, members: 0 }].sort((a, b) => a.name.localeCompare(b.name)));
    setName("");
  }

  async function remove(l: List) {
    if (!window.confirm(`Delete the list “${l.name}”? Its ${l.members?.toLocaleString() ?? ""} contacts stay; they are only taken off the list.`)) return;
    if (await run(() => sendJson(`/api/contact-lists/${l.id}`, "DELETE"))) setLists(lists.filter((x) => x.id !== l.id));
  }

  return (
    <div className="max-w-3xl space-y-4">
      <div>
        <Link href="/contacts" className="text-sm text-brand-700 hover:underline">
          ← Contacts
        </Link>
        <h1 className="text-xl font-semibold">Lists</h1>
        <p className="text-sm text-slate-600">Fixed sets of contacts: filled with “Add to list” on any selection, or by an import.</p>
      </div>
      <ErrorText>{error}</ErrorText>
      {lists.length === 0 ? (
        <p className="text-sm text-slate-500">No lists yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
          {lists.map((l) => (
            <li key={l.id} className="flex flex-wrap items-center justify-between gap-2 px-3 py-2 text-sm" data-testid="list-row">
              <Link href={onList(l.id)} className="font-medium text-brand-700 hover:underline">
                {l.name}
              </Link>
              <span className="flex items-center gap-3">
                <span className="text-slate-600">{l.members === null ? "" : `${l.members.toLocaleString()} contact${l.members === 1 ? "" : "s"}`}</span>
                {canManage && (
                  <Button variant="ghost" className="text-red-700" onClick={() => remove(l)} disabled={busy}>
                    Delete
                  </Button>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
      {canManage && (
        <form onSubmit={create} aria-label="New list" className="flex items-end gap-2">
          <div className="flex-1">
            <TextField label="New list" required value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <Button type="submit" disabled={busy}>
            Create
          </Button>
        </form>
      )}
    </div>
  );
}
