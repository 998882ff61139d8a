import { withApiKey } from "@/lib/api/with-api-key";
import { listConversations } from "@/lib/inbox/list-conversations";
import { v1ListConversationsQuery } from "@/lib/schemas/public-api";

export const runtime = "nodejs";

// GET /api/v1/conversations: conversations, most recent activity first (keyset cursor; status, priority, tag, assignee, search)
export const GET = withApiKey({ scope: "conversations:read", query: v1ListConversationsQuery }, async ({ actingUser, query }) => {
  const user = await actingUser();
  const page = await listConversations(user, user.settings, { ...query, view: "all" });
  return { conversations: page.conversations, nextCursor: page.nextCursor };
});
