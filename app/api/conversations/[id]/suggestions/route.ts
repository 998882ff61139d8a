import { z } from "zod";
import { suggestReplies } from "@/lib/ai/suggestions";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { getConversationForUser } from "@/lib/inbox/access";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// POST /api/conversations/[id]/suggestions: three AI reply drafts for the composer
export const POST = withOrg({ permission: "write:messages", params }, async ({ user, orgId, params }) => {
  await getConversationForUser(user, params.id);
  return suggestReplies(orgId, params.id);
});
