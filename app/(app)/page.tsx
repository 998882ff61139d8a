import type { Metadata } from "next";
import { requirePageUser } from "@/lib/auth/session";
import { scoped } from "@/lib/db/scoped";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requirePageUser("read:conversations");
  const db = scoped(user.orgId);
  const [open, unassigned, contacts, team] = await Promise.all([
    db("conversations").countDocuments({ status: { $in: ["open", "assigned", "ai_handled", "waiting"] } }),
    db("conversations").countDocuments({ status: { $in: ["open", "ai_handled"] }, assigneeId: null }),
    db("contacts").countDocuments({}),
    db("users").countDocuments({ active: true }),
  ]);
  const cards = [
    { label: "Open conversations", value: open },
    { label: "Unassigned", value: unassigned },
    { label: "Contacts", value: contacts },
    { label: "Active team members", value: team },
  ];
  return (
    <div className="space-y-6">
      <h1 className="text-xl font-semibold">Welcome, {user.name.split(" ")[0]}</h1>
      <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        {cards.map((c) => (
          <div key={c.label} className="rounded-lg bg-white p-4 ring-1 ring-slate-200">
            <dt className="text-slate-500">{c.label}</dt>
            <dd className="mt-1 text-2xl font-semibold">{c.value}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
