import { ObjectId } from "mongodb";
import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withApiKey } from "@/lib/api/with-api-key";
import { getConversationForUser } from "@/lib/inbox/access";
import { assignConversation } from "@/lib/inbox/actions";
import { toConversationResponse } from "@/lib/inbox/responses";
import { v1AssignBody } from "@/lib/schemas/public-api";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// PUT /api/v1/conversations/[id]/assignee: assign to a teammate (an active agent, supervisor or admin) or unassign with null
export const PUT = withApiKey({ scope: "conversations:write", params, body: v1AssignBody }, async ({ actingUser, actor, params, body }) => {
  const user = await actingUser();
  const { conversation } = await getConversationForUser(user, params.id);
  const updated = await assignConversation(user, actor, conversation, body.assigneeId ? new ObjectId(body.assigneeId) : null);
  return { conversation: toConversationResponse(updated) };
});
