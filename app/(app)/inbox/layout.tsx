import type { Metadata } from "next";
import { InboxShell } from "@/components/inbox/inbox-shell";
import { requirePageUser } from "@/lib/auth/session";
import { listConversations, viewCounts } from "@/lib/inbox/list-conversations";
import { listAssignees } from "@/lib/team/users";

export const metadata: Metadata = { title: "Inbox" };

/** The list is rendered on the server with the first page, then kept live by the client; it survives navigation between conversations. */
export default async function InboxLayout({ children }: { children: React.ReactNode }) {
  const user = await requirePageUser("read:conversations");
  const [page, counts, assignees] = await Promise.all([
    listConversations(user, user.settings, { view: "all", limit: 25 }),
    viewCounts(user, user.settings),
    listAssignees(user.orgId),
  ]);
  return (
    <InboxShell initialPage={page} initialCounts={counts} initialAssignees={assignees} initialView="all" meId={user._id.toHexString()}>
      {children}
    </InboxShell>
  );
}
