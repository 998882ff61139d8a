import type { Metadata } from "next";
import { InboxCountCards } from "@/components/inbox/inbox-count-cards";
import { requirePageUser } from "@/lib/auth/session";
import { scoped } from "@/lib/db/scoped";
import { viewCounts } from "@/lib/inbox/list-conversations";

export const metadata: Metadata = { title: "Dashboard" };

/**
 * The inbox numbers are the inbox's own (viewCounts: what the tabs and the nav badge show, within
 * what the user may see), streamed in and kept live; the rest are counted here.
 */
export default async function DashboardPage() {
  const user = await requirePageUser("read:conversations");
  const db = scoped(user.orgId);
  const counts = viewCounts(user, user.settings);
  const [contacts, team] = await Promise.all([db("contacts").countDocuments({}), db("users").countDocuments({ active: true })]);
  const cards = [
    { count: contacts, words: contacts === 1 ? "contact" : "contacts" },
    { count: team, words: team === 1 ? "active team member" : "active team members" },
  ];
  return (
    <div className="space-y-6">
      <h1 className="text-xl font-semibold">Welcome, {user.name.split(" ")[0]}</h1>
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-5">
        <InboxCountCards counts={counts} />
        {cards.map((c) => (
          <p key={c.words} className="rounded-lg bg-white p-4 ring-1 ring-slate-200" title={`${c.count} ${c.words}`}>
            <span className="block text-2xl font-semibold tabular-nums">{c.count}</span>{" "}
            <span className="mt-1 block text-slate-600">{c.words}</span>
          </p>
        ))}
      </div>
    </div>
  );
}
