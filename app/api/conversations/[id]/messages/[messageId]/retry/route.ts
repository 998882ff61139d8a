import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { withOrg } from "@/lib/api/with-org";
import { recordActivity } from "@/lib/audit/audit";
import { getConversationForUser } from "@/lib/inbox/access";
import { toMessageResponses } from "@/lib/inbox/responses";
import { retryMessage } from "@/lib/messaging/send-message";
import { idParam } from "@/lib/api/params";

export const runtime = "nodejs";
const params = z.object({ id: idParam, messageId: idParam });

// POST /api/conversations/[id]/messages/[messageId]/retry: send a failed message again
export const POST = withOrg({ permission: "write:messages", params }, async ({ user, actor, db, params }) => {
  await getConversationForUser(user, params.id);
  const stored = await db("messages").findOne({ _id: params.messageId, conversationId: params.id });
  if (!stored) throw new ApiError("not_found", "Message not found");
  const message = await retryMessage(user.orgId, params.messageId);
  await recordActivity(user.orgId, actor, { action: "message.retried", entityType: "message", entityId: message._id, after: { status: message.status } });
  const [response] = await toMessageResponses(user.orgId, [message]);
  return { message: response };
});
