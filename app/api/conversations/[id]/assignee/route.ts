import { ObjectId } from "mongodb";
import { z } from "zod";
import { withOrg } from "@/lib/api/with-org";
import { getConversationForUser } from "@/lib/inbox/access";
import { assignConversation } from "@/lib/inbox/actions";
import { toConversationResponse } from "@/lib/inbox/responses";
import { idParam } from "@/lib/api/params";
import { assignBody } from "@/lib/schemas/inbox";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// PUT /api/conversations/[id]/assignee: assign to me, to another team member (supervisors), or unassign with null
export const PUT = withOrg({ permission: "write:messages", params, body: assignBody }, async ({ user, actor, params, body }) => {
  const { conversation } = await getConversationForUser(user, params.id);
  const target = body.assigneeId === "me" ? user._id : body.assigneeId === null ? null : new ObjectId(body.assigneeId);
  return { conversation: toConversationResponse(await assignConversation(user, actor, conversation, target)) };
});
