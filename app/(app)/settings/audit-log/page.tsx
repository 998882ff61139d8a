import type { Metadata } from "next";
import { requirePageUser } from "@/lib/auth/session";
import { scoped } from "@/lib/db/scoped";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditLogPage() {
  const user = await requirePageUser("system:admin");
  const entries = await scoped(user.orgId)("activity_logs").find({}, { sort: { at: -1 }, limit: 200 }).toArray();
  return (
    <section className="space-y-4">
      <h1 className="text-xl font-semibold">Audit log</h1>
      {entries.length === 0 ? (
        <p className="rounded-lg bg-white p-6 text-center text-slate-500 ring-1 ring-slate-200">No changes recorded yet.</p>
      ) : (
        <ol className="divide-y divide-slate-100 rounded-lg bg-white ring-1 ring-slate-200">
          {entries.map((e) => (
            <li key={e._id.toHexString()} className="grid gap-1 px-4 py-2 md:grid-cols-[12rem_10rem_1fr]">
              <time className="text-slate-500" dateTime={e.at.toISOString()}>{e.at.toISOString().replace("T", " ").slice(0, 19)} UTC</time>
              <span className="font-medium">{e.actorName}</span>
              <span>
                <code className="rounded bg-slate-100 px-1">{e.action}</code>{" "}
                {e.before && <span className="text-slate-500">from {JSON.stringify(e.before)} </span>}
                {e.after && <span>to {JSON.stringify(e.after)}</span>}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
