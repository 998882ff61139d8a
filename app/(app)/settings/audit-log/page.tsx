import type { Metadata } from "next";
import Link from "next/link";
import { auditActors, listAuditLog } from "@/lib/audit/audit-log";
import { actionCatalog, entityTypeLabels } from "@/lib/audit/describe";
import { requirePageUser } from "@/lib/auth/session";
import { activityEntityTypes, AUTOMATION_ACTOR, auditLogQuery, type AuditLogQuery } from "@/lib/schemas/activity-log";

export const metadata: Metadata = { title: "Audit log" };

type Params = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (typeof v === "string" && v ? v : undefined);

function hrefWith(q: AuditLogQuery, cursor: string | null): string {
  const p = new URLSearchParams();
  if (q.actor) p.set("actor", q.actor);
  if (q.entity) p.set("entity", q.entity);
  if (q.action) p.set("action", q.action);
  if (cursor) p.set("cursor", cursor);
  const s = p.toString();
  return s ? `/settings/audit-log?${s}` : "/settings/audit-log";
}

const when = (iso: string) => `${iso.replace("T", " ").slice(0, 16)} UTC`;

/** Who did what to which, newest first, filterable by actor, kind of record and action. */
export default async function AuditLogPage({ searchParams }: { searchParams: Promise<Params> }) {
  const user = await requirePageUser("system:admin");
  const raw = await searchParams;
  const parsed = auditLogQuery.safeParse({ actor: one(raw.actor), entity: one(raw.entity), action: one(raw.action), cursor: one(raw.cursor) });
  const query: AuditLogQuery = parsed.success ? parsed.data : {};
  const [{ rows, nextCursor }, actors] = await Promise.all([listAuditLog(user.orgId, query), auditActors(user.orgId)]);
  const actions = Object.entries(actionCatalog)
    .filter(([, a]) => !query.entity || a.entity === query.entity)
    .sort(([, a], [, b]) => a.label.localeCompare(b.label));
  const filtered = !!(query.actor || query.entity || query.action);
  const select = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

  return (
    <section className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Audit log</h1>
        <p className="text-sm text-slate-600">Who changed what, newest first. Reading a conversation is not recorded.</p>
      </div>

      <form method="get" className="grid gap-3 rounded-lg bg-white p-4 ring-1 ring-slate-200 sm:grid-cols-[1fr_1fr_1fr_auto] sm:items-end" aria-label="Filter the audit log">
        <label className="text-sm font-medium text-slate-700">
          Who
          <select name="actor" defaultValue={query.actor ?? ""} className={select}>
            <option value="">Everyone</option>
            <option value={AUTOMATION_ACTOR}>Automation (no person)</option>
            {actors.map((a) => (
              <option key={a.id} value={a.id}>{a.name}</option>
            ))}
          </select>
        </label>
        <label className="text-sm font-medium text-slate-700">
          Record
          <select name="entity" defaultValue={query.entity ?? ""} className={select}>
            <option value="">Any kind</option>
            {activityEntityTypes.map((t) => (
              <option key={t} value={t}>{entityTypeLabels[t]}</option>
            ))}
          </select>
        </label>
        <label className="text-sm font-medium text-slate-700">
          Action
          <select name="action" defaultValue={query.action ?? ""} className={select}>
            <option value="">Any action</option>
            {actions.map(([key, a]) => (
              <option key={key} value={key}>{a.label}</option>
            ))}
          </select>
        </label>
        <div className="flex gap-2">
          <button type="submit" className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700">Apply</button>
          {filtered && <Link href="/settings/audit-log" className="rounded-md px-3 py-1.5 text-sm text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50">Clear</Link>}
        </div>
      </form>

      {!parsed.success && (
        <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200">
          That filter is not valid ({parsed.error.issues[0]?.message}); showing every entry instead.
        </p>
      )}

      {rows.length === 0 ? (
        <p className="rounded-lg bg-white p-6 text-center text-slate-500 ring-1 ring-slate-200">
          {filtered ? "No entries match these filters." : query.cursor ? "No older entries." : "No changes recorded yet."}
        </p>
      ) : (
        <ol className="divide-y divide-slate-100 rounded-lg bg-white ring-1 ring-slate-200" aria-label="Audit log entries">
          {rows.map((r) => (
            <li key={r.id} className="grid gap-1 px-4 py-3 sm:grid-cols-[10rem_1fr]" data-action={r.action}>
              <time className="text-sm text-slate-500" dateTime={r.at}>{when(r.at)}</time>
              <div className="min-w-0">
                <p className="text-sm">
                  <span className="font-medium">{r.actor.name}</span>
                  {!r.actor.person && <span className="ml-1 rounded bg-slate-100 px-1 text-xs text-slate-600">automation</span>} {r.verb}
                  {r.entity && <> <strong className="font-medium">{r.entity}</strong></>}
                  {r.suffix}
                </p>
                {r.changes.length > 0 && (
                  <ul className="mt-1 space-y-0.5 text-xs text-slate-600">
                    {r.changes.map((c) => (
                      <li key={c.field}>
                        <span className="font-medium text-slate-700">{c.field}</span>:{" "}
                        {c.before !== null && <><span className="line-through decoration-slate-400">{c.before}</span> → </>}
                        <span>{c.after ?? "removed"}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            </li>
          ))}
        </ol>
      )}

      <nav className="flex justify-between text-sm" aria-label="Audit log pages">
        {query.cursor ? <Link href={hrefWith({ ...query, cursor: undefined }, null)} className="text-sky-700 hover:underline">← Newest</Link> : <span />}
        {nextCursor && <Link href={hrefWith(query, nextCursor)} className="text-sky-700 hover:underline">Older entries →</Link>}
      </nav>
    </section>
  );
}
