import { z } from "zod";
import { withOrg } from "@/lib/api/with-org";
import { getConversationForUser } from "@/lib/inbox/access";
import { updateConversation } from "@/lib/inbox/actions";
import { toConversationResponse } from "@/lib/inbox/responses";
import { idParam } from "@/lib/api/params";
import { updateConversationBody } from "@/lib/schemas/inbox";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/conversations/[id]: one conversation (403 when it is another agent's)
export const GET = withOrg({ permission: "read:conversations", params }, async ({ user, params }) => {
  const { conversation } = await getConversationForUser(user, params.id);
  return { conversation: toConversationResponse(conversation) };
});

// PATCH /api/conversations/[id]: priority, tags, AI replies on/off
export const PATCH = withOrg({ permission: "write:messages", params, body: updateConversationBody }, async ({ user, actor, params, body }) => {
  const { conversation } = await getConversationForUser(user, params.id);
  return { conversation: toConversationResponse(await updateConversation(user, actor, conversation, body)) };
});
