"use client";

import { useState } from "react";
import useSWR from "swr";
import { Button } from "@/components/ui/button";
import { ErrorText } from "@/components/ui/field";
import { tagColors } from "@/lib/schemas/contact";
import type { TagUsage } from "@/lib/contacts/tags";
import { fetcher, sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";
import { ProgressBar } from "./bulk-actions";
import { TagChip } from "./tag-chip";

/** Every tag in use: how many contacts carry it, its colour, and rename (or merge into another tag). */
export function TagManager({ initial, canManage }: { initial: TagUsage[]; canManage: boolean }) {
  const { data, mutate } = useSWR<{ tags: TagUsage[] }>("/api/contact-tags", fetcher, { fallbackData: { tags: initial } });
  const [renaming, setRenaming] = useState<string | null>(null);
  const [to, setTo] = useState("");
  const { error, run } = useAction();
  const [notice, setNotice] = useState<string | null>(null);
  const [running, setRunning] = useState<string | null>(null);
  const tags = data?.tags ?? [];

  async function color(name: string, c: string) {
    if (await run(() => sendJson("/api/contact-tags/color", "PUT", { name, color: c }))) await mutate();
  }

  async function rename(e: React.FormEvent) {
    e.preventDefault();
    if (!renaming) return;
    const into = tags.find((t) => t.name === to.trim().toLowerCase());
    if (into && !window.confirm(`“${to}” already exists: merge “${renaming}” into it? Contacts with both keep one.`)) return;
    const res = await run(() => sendJson<{ bulkAction?: { id: string }; message?: string }>("/api/contact-tags/rename", "POST", { from: renaming, to }));
    if (!res) return;
    // The rename runs as a bulk action; the counts are reloaded when its progress bar ends.
    if (res.bulkAction) setRunning(res.bulkAction.id);
    else setNotice(res.message ?? null);
    setRenaming(null);
    setTo("");
  }

  return (
    <div className="max-w-3xl space-y-4">
      <h1 className="text-xl font-semibold">Tags</h1>
      <ErrorText>{error}</ErrorText>
      {notice && (
        <p role="status" className="text-sm text-slate-600">
          {notice}
        </p>
      )}
      {running && <ProgressBar key={running} id={running} onFinished={() => void mutate()} />}
      {tags.length === 0 ? (
        <p className="text-sm text-slate-500">No tags yet. Add them on a contact, with a bulk action, or in an import.</p>
      ) : (
        <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm">
          <thead className="bg-slate-50 text-left text-xs uppercase text-slate-500">
            <tr>
              <th className="px-3 py-2">Tag</th>
              <th className="px-3 py-2">Contacts</th>
              {canManage && <th className="px-3 py-2">Colour</th>}
              {canManage && <th className="px-3 py-2" aria-label="Actions" />}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {tags.map((t) => (
              <tr key={t.name} data-testid="tag-row">
                <td className="px-3 py-2">
                  <TagChip name={t.name} color={t.color} />
                </td>
                <td className="px-3 py-2">{t.count.toLocaleString()}</td>
                {canManage && (
                  <td className="px-3 py-2">
                    <select aria-label={`Colour of ${t.name}`} className="rounded border border-slate-300 px-1 py-0.5" value={t.color} onChange={(e) => color(t.name, e.target.value)}>
                      {tagColors.map((c) => (
                        <option key={c} value={c}>
                          {c}
                        </option>
                      ))}
                    </select>
                  </td>
                )}
                {canManage && (
                  <td className="px-3 py-2 text-right">
                    {renaming === t.name ? (
                      <form onSubmit={rename} className="flex justify-end gap-1">
                        <input aria-label={`New name for ${t.name}`} required value={to} onChange={(e) => setTo(e.target.value)} className="w-36 rounded border border-slate-300 px-2 py-0.5" autoFocus />
                        <Button type="submit">Rename</Button>
                        <Button type="button" variant="ghost" onClick={() => setRenaming(null)}>
                          Cancel
                        </Button>
                      </form>
                    ) : (
                      <Button variant="ghost" onClick={() => (setRenaming(t.name), setTo(t.name))}>
                        Rename or merge
                      </Button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
