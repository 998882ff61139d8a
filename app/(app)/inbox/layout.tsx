import type { Metadata } from "next";
import { Suspense } from "react";
import { InboxShell } from "@/components/inbox/inbox-shell";
import { requirePageUser, type SessionUser } from "@/lib/auth/session";
import { listConversations, viewCounts } from "@/lib/inbox/list-conversations";
import { listAssignees } from "@/lib/team/users";

export const metadata: Metadata = { title: "Inbox" };

/**
 * The page streams: the app shell first, then the list (rendered on the server with the first page,
 * then kept live by the client; it survives navigation between conversations), then the tab counts,
 * which the list does not wait for.
 */
export default async function InboxLayout({ children }: { children: React.ReactNode }) {
  const user = await requirePageUser("read:conversations");
  return (
    <Suspense fallback={<p className="p-4 text-sm text-slate-500" aria-busy="true">Loading conversations…</p>}>
      <InboxWithList user={user}>{children}</InboxWithList>
    </Suspense>
  );
}

async function InboxWithList({ user, children }: { user: SessionUser; children: React.ReactNode }) {
  // Started, not awaited: the tabs stream the counts in when they are ready.
  const counts = viewCounts(user, user.settings);
  const [page, assignees] = await Promise.all([listConversations(user, user.settings, { view: "all", limit: 25 }), listAssignees(user.orgId)]);
  return (
    <InboxShell
      initialPage={page}
      initialCounts={counts}
      initialAssignees={assignees}
      initialView="all"
      meId={user._id.toHexString()}
      meOffline={user.availability === "offline" && user.role === "agent"}
    >
      {children}
    </InboxShell>
  );
}
