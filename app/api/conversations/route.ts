import { withOrg } from "@/lib/api/with-org";
import { conversationDelta, listConversations } from "@/lib/inbox/list-conversations";
import { listConversationsQuery } from "@/lib/schemas/inbox";

export const runtime = "nodejs";

// GET /api/conversations: the inbox list (view, filters, search, cursor), or with updatedAfter the changes since the last poll
export const GET = withOrg({ permission: "read:conversations", query: listConversationsQuery }, async ({ user, query }) => {
  if (query.updatedAfter) return conversationDelta(user, user.settings, { ...query, updatedAfter: query.updatedAfter });
  return listConversations(user, user.settings, query);
});
