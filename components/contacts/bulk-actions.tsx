"use client";

import { useState } from "react";
import useSWR from "swr";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { ErrorText, SelectField, TextField } from "@/components/ui/field";
import type { SegmentGroup } from "@/lib/schemas/segment";
import { fetcher, sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";
import { commaList } from "./comma-list";

type Selection = { q?: string; segmentId?: string; definition?: SegmentGroup };
type Progress = { id: string; status: "queued" | "running" | "done" | "failed"; total: number; done: number; changed: number; error: string | null; action: { kind: string; tags?: string[] } };
type Kind = "add_tags" | "remove_tags" | "set_owner" | "add_to_list" | "remove_from_list" | "delete" | "erase";
type ProgressKind = Kind | "rename_tag";
type ListOption = { id: string; name: string };

const titles: Record<Kind | "rename_tag", string> = {
  rename_tag: "Rename tag",
  set_owner: "Set owner", add_tags: "Add tags", remove_tags: "Remove tags", add_to_list: "Add to list", remove_from_list: "Remove from list", delete: "Delete contacts", erase: "Erase personal data" };

/** Progress of a running bulk action, polled until it ends. */
export function ProgressBar({ id, onFinished }: { id: string; onFinished: () => void }) {
  const { data } = useSWR<{ bulkAction: Progress }>(`/api/contacts/bulk/${id}`, fetcher, {
    refreshInterval: (latest) => (latest && ["done", "failed"].includes(latest.bulkAction.status) ? 0 : 1000),
    onSuccess: (d) => ["done", "failed"].includes(d.bulkAction.status) && onFinished(),
  });
  const p = data?.bulkAction;
  if (!p) return <p className="text-sm text-slate-600">Starting…</p>;
  const pct = p.total ? Math.round((p.done / p.total) * 100) : 100;
  const verb = p.action.kind === "delete" ? "deleted" : p.action.kind === "erase" ? "erased" : "changed";
  return (
    <div className="space-y-1 rounded-md bg-slate-50 p-3 text-sm" data-testid="bulk-progress">
      <div className="flex justify-between">
        <span>
          {titles[p.action.kind as ProgressKind]}
          {p.action.tags ? `: ${p.action.tags.join(", ")}` : ""}
        </span>
        <span>
          {p.done.toLocaleString()} of {p.total.toLocaleString()}
        </span>
      </div>
      <div role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label="Bulk action progress" className="h-2 overflow-hidden rounded bg-slate-200">
        <div className="h-full bg-brand-600 transition-all" style={{ width: `${pct}%` }} />
      </div>
      {p.status === "done" && (
        <p role="status" className="text-emerald-700">
          Done: {p.changed.toLocaleString()} contact{p.changed === 1 ? "" : "s"} {verb}
          {p.changed < p.total && !["delete", "erase"].includes(p.action.kind) ? ` (the others already were)` : ""}.
        </p>
      )}
      {p.status === "failed" && <ErrorText>It stopped: {p.error}. What was done so far stays done; start it again to finish.</ErrorText>}
    </div>
  );
}

/**
 * Actions over every contact the current search and filter match (the count in the header), not
 * only the rows on screen: tag, untag, export, delete. Each runs as a job with a progress bar;
 * a delete names the count and is refused if the selection changed since.
 */
export function BulkActions({
  selection,
  lists,
  owners,
  count,
  exportHref,
  onChanged,
  onListCreated,
}: {
  selection: Selection;
  lists: ListOption[];
  owners: ListOption[];
  count: number | null;
  exportHref: string;
  onChanged: () => void;
  onListCreated: (list: ListOption) => void;
}) {
  const [listId, setListId] = useState("");
  const [ownerId, setOwnerId] = useState("");
  const [newList, setNewList] = useState("");
  const [kind, setKind] = useState<Kind | null>(null);
  const [tags, setTags] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const [running, setRunning] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const n = count ?? 0;

  async function apply(e: React.FormEvent) {
    e.preventDefault();
    if (!kind) return;
    setNotice(null);
    const res = await run(async () => {
      let action: Record<string, unknown>;
      if (kind === "delete" || kind === "erase") action = { kind };
      else if (kind === "set_owner") action = { kind, ownerId: ownerId === "nobody" ? null : ownerId };
      else if (kind === "add_to_list" || kind === "remove_from_list") {
        let id = listId;
        if (kind === "add_to_list" && id === "new") {
          const { list } = await sendJson<{ list: ListOption }>("/api/contact-lists", "POST", { name: newList });
          onListCreated(list);
          id = list.id;
        }
        action = { kind, listId: id };
      } else action = { kind, tags: commaList(tags) };
      return sendJson<{ bulkAction?: { id: string }; matched?: 0; message?: string }>("/api/contacts/bulk", "POST", { action, ...selection, ...(kind === "delete" || kind === "erase" ? { confirmCount: n } : {}) });
    });
    if (!res) return;
    if (res.bulkAction) setRunning(res.bulkAction.id);
    else setNotice(res.message ?? "Nothing matched.");
    setKind(null);
    setTags("");
  }

  const disabled = count === null || count === 0;
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Bulk actions">
        <span className="text-sm text-slate-600">All {count === null ? "…" : n.toLocaleString()} matching:</span>
        <Button variant="secondary" disabled={disabled} onClick={() => setKind("add_tags")}>
          Add tags
        </Button>
        <Button variant="secondary" disabled={disabled} onClick={() => setKind("remove_tags")}>
          Remove tags
        </Button>
        <Button variant="secondary" disabled={disabled} onClick={() => setKind("set_owner")}>
          Set owner
        </Button>
        <Button variant="secondary" disabled={disabled} onClick={() => setKind("add_to_list")}>
          Add to list
        </Button>
        {lists.length > 0 && (
          <Button variant="secondary" disabled={disabled} onClick={() => setKind("remove_from_list")}>
            Remove from list
          </Button>
        )}
        <a href={exportHref} className={`rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-slate-300 hover:bg-slate-50 ${disabled ? "pointer-events-none opacity-50" : ""}`} aria-disabled={disabled} download>
          Export CSV
        </a>
        <Button variant="ghost" className="text-red-700" disabled={disabled} onClick={() => setKind("delete")}>
          Delete…
        </Button>
        <Button variant="ghost" className="text-red-700" disabled={disabled} onClick={() => setKind("erase")}>
          Erase (GDPR)…
        </Button>
      </div>
      {notice && (
        <p role="status" className="text-sm text-slate-600">
          {notice}
        </p>
      )}
      {running && (
        <ProgressBar key={running} id={running} onFinished={onChanged} />
      )}
      <Dialog open={kind !== null} onClose={() => setKind(null)} title={kind ? `${titles[kind]}: ${n.toLocaleString()} contact${n === 1 ? "" : "s"}` : ""}>
        <form onSubmit={apply} className="space-y-3">
          {kind === "delete" ? (
            <p className="text-sm text-slate-700">
              Delete all <strong>{n.toLocaleString()}</strong> contacts that match, with their conversations and messages? This cannot be undone.
            </p>
          ) : kind === "erase" ? (
            <p className="text-sm text-slate-700">
              Erase the personal data of all <strong>{n.toLocaleString()}</strong> contacts that match: names, numbers, fields, message texts and files. Conversations stay without content; a later import will not bring these people back. This cannot be undone.
            </p>
          ) : kind === "set_owner" ? (
            <SelectField label="Owner" required value={ownerId} onChange={(e) => setOwnerId(e.target.value)}>
              <option value="">Choose a teammate…</option>
              {owners.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
              <option value="nobody">Nobody</option>
            </SelectField>
          ) : kind === "add_to_list" || kind === "remove_from_list" ? (
            <>
              <SelectField label="List" required value={listId} onChange={(e) => setListId(e.target.value)}>
                <option value="">Choose a list…</option>
                {lists.map((l) => (
                  <option key={l.id} value={l.id}>
                    {l.name}
                  </option>
                ))}
                {kind === "add_to_list" && <option value="new">New list…</option>}
              </SelectField>
              {listId === "new" && <TextField label="New list name" required value={newList} onChange={(e) => setNewList(e.target.value)} />}
            </>
          ) : (
            <TextField label="Tags" required value={tags} onChange={(e) => setTags(e.target.value)} placeholder="spring-promo, vip" autoFocus />
          )}
          {/* Inside the dialog: it is modal, so a message behind it would go unseen. */}
          <ErrorText>{error}</ErrorText>
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setKind(null)}>
              Cancel
            </Button>
            <Button type="submit" variant={kind === "delete" || kind === "erase" ? "danger" : "primary"} disabled={busy}>
              {kind === "delete" ? `Delete ${n.toLocaleString()} contacts` : kind === "erase" ? `Erase ${n.toLocaleString()} contacts` : `Apply to ${n.toLocaleString()} contacts`}
            </Button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}
