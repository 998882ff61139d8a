import { withOrg } from "@/lib/api/with-org";
import { viewCounts } from "@/lib/inbox/list-conversations";

export const runtime = "nodejs";

// GET /api/conversations/counts: active conversations per view and the unread badge, within what the user may see
export const GET = withOrg({ permission: "read:conversations" }, async ({ user }) => ({
  counts: await viewCounts(user, user.settings),
}));
