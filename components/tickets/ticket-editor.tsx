"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ErrorText, SelectField, TextField } from "@/components/ui/field";
import { priorities } from "@/lib/schemas/conversation";
import { ticketStatuses, ticketStatusLabels, type TicketResponse } from "@/lib/schemas/ticket";
import { sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";

const DONE = new Set(["resolved", "closed"]);

/**
 * The ticket's working fields. Status, priority and assignee save as soon as they change (each is
 * one audited change); resolving asks for the resolution first, because a resolved ticket without
 * one tells the next person nothing.
 */
export function TicketEditor({ ticket, assignees, canEdit }: { ticket: TicketResponse; assignees: { id: string; name: string }[]; canEdit: boolean }) {
  const router = useRouter();
  const { busy, error, run } = useAction();
  const [saved, setSaved] = useState<string | null>(null);
  const [resolving, setResolving] = useState<string | null>(null);
  const [summary, setSummary] = useState(ticket.resolution?.summary ?? "");
  const [steps, setSteps] = useState(ticket.resolution?.steps ?? "");
  const [category, setCategory] = useState(ticket.category ?? "");

  async function save(patch: Record<string, unknown>, what: string) {
    setSaved(null);
    if (await run(() => sendJson(`/api/tickets/${ticket.id}`, "PATCH", patch))) {
      setSaved(`${what} saved`);
      setResolving(null);
      router.refresh();
    }
  }

  function onStatus(next: string) {
    if (DONE.has(next) && !ticket.resolution) setResolving(next);
    else void save({ status: next }, "Status");
  }

  return (
    <section aria-label="Ticket details" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <SelectField label="Status" value={resolving ?? ticket.status} disabled={!canEdit || busy} onChange={(e) => onStatus(e.target.value)}>
        {ticketStatuses.map((s) => (
          <option key={s} value={s}>
            {ticketStatusLabels[s]}
          </option>
        ))}
      </SelectField>
      {resolving && (
        <form
          aria-label="Resolution"
          className="space-y-2 rounded-md bg-slate-50 p-2"
          onSubmit={(e) => {
            e.preventDefault();
            void save({ status: resolving, resolution: { summary, steps: steps || null, category: null } }, "Status");
          }}
        >
          <p className="text-sm text-slate-600">How was it resolved? The next person to read this ticket will want to know.</p>
          <label className="block text-sm font-medium text-slate-700">
            Resolution summary
            <textarea required autoFocus rows={2} value={summary} onChange={(e) => setSummary(e.target.value)} className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 text-sm" />
          </label>
          <label className="block text-sm font-medium text-slate-700">
            Steps taken (optional)
            <textarea rows={2} value={steps} onChange={(e) => setSteps(e.target.value)} className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 text-sm" />
          </label>
          <div className="flex gap-1">
            <Button type="submit" disabled={busy}>
              {ticketStatusLabels[resolving as keyof typeof ticketStatusLabels]}
            </Button>
            <Button type="button" variant="ghost" onClick={() => setResolving(null)}>
              Cancel
            </Button>
          </div>
        </form>
      )}
      <SelectField label="Priority" value={ticket.priority} disabled={!canEdit || busy} onChange={(e) => void save({ priority: e.target.value }, "Priority")}>
        {priorities.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </SelectField>
      <SelectField label="Assignee" value={ticket.assigneeId ?? ""} disabled={!canEdit || busy} onChange={(e) => void save({ assigneeId: e.target.value || null }, "Assignee")}>
        <option value="">Unassigned</option>
        {assignees.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </SelectField>
      <form
        className="flex items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          void save({ category: category || null }, "Category");
        }}
      >
        <div className="flex-1">
          <TextField label="Category" value={category} maxLength={60} disabled={!canEdit} onChange={(e) => setCategory(e.target.value)} placeholder="billing, shipping…" />
        </div>
        {canEdit && (
          <Button type="submit" variant="secondary" disabled={busy || category === (ticket.category ?? "")}>
            Save
          </Button>
        )}
      </form>
      {ticket.resolution && (
        <div className="rounded-md bg-emerald-50 p-2 text-sm">
          <p className="font-medium text-emerald-900">Resolution</p>
          <p className="whitespace-pre-wrap text-emerald-900">{ticket.resolution.summary}</p>
          {ticket.resolution.steps && <p className="mt-1 whitespace-pre-wrap text-emerald-800">{ticket.resolution.steps}</p>}
        </div>
      )}
      <ErrorText>{error}</ErrorText>
      {saved && (
        <p role="status" className="text-sm text-emerald-700">
          {saved}
        </p>
      )}
    </section>
  );
}

/** An internal note on the ticket. */
export function TicketNoteForm({ ticketId }: { ticketId: string }) {
  const router = useRouter();
  const [text, setText] = useState("");
  const { busy, error, run } = useAction();
  return (
    <form
      aria-label="Add an internal note"
      className="space-y-1"
      onSubmit={async (e) => {
        e.preventDefault();
        if (await run(() => sendJson(`/api/tickets/${ticketId}/notes`, "POST", { text }))) {
          setText("");
          router.refresh();
        }
      }}
    >
      <textarea aria-label="Internal note" required rows={2} value={text} onChange={(e) => setText(e.target.value)} placeholder="Only your team sees this" className="block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm" />
      <ErrorText>{error}</ErrorText>
      <Button type="submit" disabled={busy || !text.trim()}>
        Add note
      </Button>
    </form>
  );
}
