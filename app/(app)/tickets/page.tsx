import type { Metadata } from "next";
import Link from "next/link";
import { TicketPriority, TicketStatusBadge } from "@/components/tickets/ticket-badges";
import { requirePageUser } from "@/lib/auth/session";
import { priorities } from "@/lib/schemas/conversation";
import { ticketListQuery, type TicketListQuery } from "@/lib/schemas/ticket";
import { listAssignees } from "@/lib/team/users";
import { listTickets } from "@/lib/tickets/tickets";

export const metadata: Metadata = { title: "Tickets" };

const views: { key: TicketListQuery["view"]; label: string }[] = [
  { key: "open", label: "Open" },
  { key: "mine", label: "Mine" },
  { key: "unassigned", label: "Unassigned" },
  { key: "done", label: "Resolved and closed" },
  { key: "all", label: "All" },
];

type SearchParams = Promise<Record<string, string | undefined>>;

/** The team's tickets: one view at a time, most recently changed first, 25 a page. */
export default async function TicketsPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requirePageUser("view:tickets");
  const raw = await searchParams;
  // A hand-edited URL falls back to the default view instead of an error page.
  const parsed = ticketListQuery.safeParse({ view: raw.view, priority: raw.priority || undefined, number: raw.number || undefined, cursor: raw.cursor });
  const q = parsed.success ? parsed.data : ticketListQuery.parse({});
  const [page, assignees] = await Promise.all([listTickets(user.orgId, user._id, q), listAssignees(user.orgId)]);
  const names = new Map(assignees.map((a) => [a.id, a.name]));
  const link = (over: Record<string, string | undefined>) => {
    const p = new URLSearchParams();
    const merged = { view: q.view, priority: q.priority, ...over };
    for (const [k, v] of Object.entries(merged)) if (v) p.set(k, v);
    return `/tickets?${p.toString()}`;
  };
  return (
    <section className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Tickets</h1>
        <p className="text-sm text-slate-500">Follow-up work opened from conversations, contacts and the AI agent. Open one from a conversation&apos;s contact panel or a contact&apos;s page.</p>
      </div>
      <nav aria-label="Ticket views" className="flex flex-wrap gap-1 border-b border-slate-200">
        {views.map((v) => (
          <Link
            key={v.key}
            href={link({ view: v.key, cursor: undefined })}
            aria-current={q.view === v.key && !q.number ? "page" : undefined}
            className={`-mb-px border-b-2 px-3 py-1.5 text-sm ${q.view === v.key && !q.number ? "border-brand-600 font-medium text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900"}`}
          >
            {v.label}
          </Link>
        ))}
      </nav>
      <form method="get" action="/tickets" className="flex flex-wrap items-end gap-2 text-sm" aria-label="Ticket filters">
        <input type="hidden" name="view" value={q.view} />
        <label className="block">
          <span className="block text-xs text-slate-500">Priority</span>
          <select name="priority" defaultValue={q.priority ?? ""} className="rounded-md border border-slate-300 bg-white px-2 py-1">
            <option value="">Any</option>
            {priorities.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label className="block">
          <span className="block text-xs text-slate-500">Ticket number</span>
          <input name="number" defaultValue={q.number ?? ""} placeholder="TICKET-2026-000001" className="w-48 rounded-md border border-slate-300 px-2 py-1" />
        </label>
        <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1 hover:bg-slate-50">
          Apply
        </button>
      </form>
      {page.tickets.length === 0 ? (
        <div className="rounded-lg bg-white p-8 text-center ring-1 ring-slate-200">
          <p className="font-medium">{q.number ? `No ticket ${q.number}` : "No tickets in this view"}</p>
          <p className="mt-1 text-sm text-slate-500">Tickets appear here when someone opens one from a conversation or a contact, or the AI agent does.</p>
        </div>
      ) : (
        <div className="overflow-x-auto rounded-lg bg-white ring-1 ring-slate-200">
          <table className="w-full text-sm" data-testid="tickets-table">
            <thead className="bg-slate-50 text-left text-slate-500">
              <tr>
                <th className="px-4 py-2 font-medium">Ticket</th>
                <th className="px-4 py-2 font-medium">Status</th>
                <th className="px-4 py-2 font-medium">Priority</th>
                <th className="px-4 py-2 font-medium">Assignee</th>
                <th className="px-4 py-2 font-medium">Updated</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {page.tickets.map((t) => (
                <tr key={t._id.toHexString()}>
                  <td className="px-4 py-2">
                    <Link className="font-medium text-brand-700 hover:underline" href={`/tickets/${t._id.toHexString()}`}>
                      {t.subject}
                    </Link>
                    <div className="text-xs text-slate-500">
                      {t.number}
                      {t.category ? ` · ${t.category}` : ""}
                      {t.source === "ai" ? " · opened by the AI agent" : ""}
                    </div>
                  </td>
                  <td className="px-4 py-2">
                    <TicketStatusBadge status={t.status} />
                  </td>
                  <td className="px-4 py-2">
                    <TicketPriority priority={t.priority} />
                  </td>
                  <td className="px-4 py-2 text-slate-600">{t.assigneeId ? (names.get(t.assigneeId.toHexString()) ?? "a former teammate") : "Unassigned"}</td>
                  <td className="px-4 py-2 whitespace-nowrap text-slate-500">{t.updatedAt.toISOString().slice(0, 16).replace("T", " ")} UTC</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.nextCursor && (
        <Link className="inline-block text-sm text-brand-700 hover:underline" href={link({ cursor: page.nextCursor })}>
          Older tickets →
        </Link>
      )}
    </section>
  );
}
