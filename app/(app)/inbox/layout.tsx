import type { Metadata } from "next";
import { InboxShell } from "@/components/inbox/inbox-shell";
import { requirePageUser } from "@/lib/auth/session";
import { scoped } from "@/lib/db/scoped";
import { listConversations, viewCounts } from "@/lib/inbox/list-conversations";
import type { AssigneeResponse } from "@/lib/schemas/inbox";

export const metadata: Metadata = { title: "Inbox" };

/** The list is rendered on the server with the first page, then kept live by the client; it survives navigation between conversations. */
export default async function InboxLayout({ children }: { children: React.ReactNode }) {
  const user = await requirePageUser("read:conversations");
  const [page, counts, users] = await Promise.all([
    listConversations(user, user.settings, { view: "all", limit: 25 }),
    viewCounts(user, user.settings),
    scoped(user.orgId)("users").find({ active: true, role: { $ne: "viewer" } }, { sort: { name: 1 } }).toArray(),
  ]);
  const assignees: AssigneeResponse[] = users.map((u) => ({ id: u._id.toHexString(), name: u.name, role: u.role, availability: u.availability }));
  return (
    <InboxShell initialPage={page} initialCounts={counts} initialAssignees={assignees} initialView="all" meId={user._id.toHexString()}>
      {children}
    </InboxShell>
  );
}
