import type { Metadata } from "next";
import { ObjectId } from "mongodb";
import Link from "next/link";
import { notFound } from "next/navigation";
import { TicketStatusBadge } from "@/components/tickets/ticket-badges";
import { TicketEditor, TicketNoteForm } from "@/components/tickets/ticket-editor";
import { ApiError } from "@/lib/api/errors";
import { can } from "@/lib/auth/permissions";
import { requirePageUser } from "@/lib/auth/session";
import { scoped } from "@/lib/db/scoped";
import { listAssignees } from "@/lib/team/users";
import { getTicket, listTicketNotes, ticketHistory, toTicketResponse } from "@/lib/tickets/tickets";
import type { TicketDoc } from "@/lib/schemas/ticket";

export const metadata: Metadata = { title: "Ticket" };

function when(d: Date) {
  return d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

function describeChange(before: Record<string, unknown> | null, after: Record<string, unknown> | null): string {
  if (!after) return "";
  return Object.keys(after)
    .map((k) => `${k}: ${JSON.stringify(before?.[k] ?? null)} → ${JSON.stringify(after[k])}`)
    .join(", ");
}

/** One ticket: what it is about, who has it, its notes and every change to it. */
export default async function TicketPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser("view:tickets");
  const { id } = await params;
  if (!ObjectId.isValid(id) || id.length !== 24) notFound();
  let ticket: TicketDoc;
  try {
    ticket = await getTicket(user.orgId, new ObjectId(id));
  } catch (err) {
    if (err instanceof ApiError && err.code === "not_found") notFound();
    throw err;
  }
  const db = scoped(user.orgId);
  const [notes, history, assignees, contact, parent] = await Promise.all([
    listTicketNotes(user.orgId, ticket._id),
    ticketHistory(user.orgId, ticket._id),
    listAssignees(user.orgId),
    db("contacts").findOne({ _id: ticket.contactId }, { projection: { name: 1, profileName: 1, phone: 1 } }),
    ticket.parentTicketId ? db("tickets").findOne({ _id: ticket.parentTicketId }, { projection: { number: 1, subject: 1 } }) : null,
  ]);
  const who = contact ? (contact.name ?? contact.profileName ?? contact.phone ?? "Unnamed contact") : "a deleted contact";
  return (
    <div className="mx-auto max-w-5xl space-y-4">
      <Link href="/tickets" className="text-sm text-brand-700 hover:underline">
        ← Tickets
      </Link>
      <header className="space-y-1">
        <p className="text-sm text-slate-500" data-testid="ticket-number">
          {ticket.number}
        </p>
        <h1 className="flex flex-wrap items-center gap-2 text-xl font-semibold">
          {ticket.subject} <TicketStatusBadge status={ticket.status} testId="ticket-status" />
        </h1>
        <p className="text-sm text-slate-600">
          For{" "}
          {contact ? (
            <Link className="text-brand-700 hover:underline" href={`/contacts/${ticket.contactId.toHexString()}`}>
              {who}
            </Link>
          ) : (
            who
          )}
          {ticket.conversationId && (
            <>
              {" · "}
              <Link className="text-brand-700 hover:underline" href={`/inbox/${ticket.conversationId.toHexString()}`}>
                Open the conversation
              </Link>
            </>
          )}
          {parent && (
            <>
              {" · part of "}
              <Link className="text-brand-700 hover:underline" href={`/tickets/${parent._id.toHexString()}`}>
                {parent.number}
              </Link>
            </>
          )}
          {" · opened by "}
          {ticket.createdBy.name} {when(ticket.createdAt)}
        </p>
      </header>
      <div className="grid gap-4 lg:grid-cols-[1fr_20rem]">
        <div className="space-y-4">
          <section aria-labelledby="desc-h" className="rounded-lg border border-slate-200 bg-white p-4">
            <h2 id="desc-h" className="text-base font-semibold">
              Description
            </h2>
            <p className="mt-1 whitespace-pre-wrap text-sm text-slate-700">{ticket.description ?? "No description."}</p>
          </section>
          <section aria-labelledby="notes-h" className="rounded-lg border border-slate-200 bg-white p-4">
            <h2 id="notes-h" className="text-base font-semibold">
              Internal notes
            </h2>
            {notes.length === 0 ? (
              <p className="mt-1 text-sm text-slate-500">No notes yet.</p>
            ) : (
              <ul className="mt-2 space-y-2 text-sm" aria-label="Notes">
                {notes.map((n) => (
                  <li key={n._id.toHexString()} className="rounded-md bg-amber-50 p-2">
                    <p className="whitespace-pre-wrap">{n.text}</p>
                    <p className="text-xs text-slate-500">
                      {n.authorName} · {when(n.createdAt)}
                    </p>
                  </li>
                ))}
              </ul>
            )}
            {can(user.role, "manage:tickets") && (
              <div className="mt-3">
                <TicketNoteForm ticketId={ticket._id.toHexString()} />
              </div>
            )}
          </section>
          <section aria-labelledby="history-h" className="rounded-lg border border-slate-200 bg-white p-4">
            <h2 id="history-h" className="text-base font-semibold">
              History
            </h2>
            <ol className="mt-2 space-y-1 text-sm" aria-label="Ticket history">
              {history.map((h) => (
                <li key={h._id.toHexString()}>
                  <span className="text-slate-500">{when(h.at)}</span> {h.actorName}: {h.action.replace("ticket.", "").replace("_", " ")}
                  {h.action !== "ticket.created" && <span className="text-slate-600"> ({describeChange(h.before, h.after)})</span>}
                </li>
              ))}
            </ol>
          </section>
        </div>
        <TicketEditor ticket={toTicketResponse(ticket)} assignees={assignees.map((a) => ({ id: a.id, name: a.name }))} canEdit={can(user.role, "manage:tickets")} />
      </div>
    </div>
  );
}
