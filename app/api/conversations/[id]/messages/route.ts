import { ObjectId } from "mongodb";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { withOrg } from "@/lib/api/with-org";
import { getConversationForUser } from "@/lib/inbox/access";
import { assignOnReply } from "@/lib/inbox/assign-on-reply";
import { getThread } from "@/lib/inbox/list-messages";
import { toConversationResponse, toMessageResponses } from "@/lib/inbox/responses";
import { sendMessage } from "@/lib/messaging/send-message";
import { idParam } from "@/lib/api/params";
import { listMessagesQuery, sendMessageBody } from "@/lib/schemas/inbox";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/conversations/[id]/messages: the thread, newest page first (cursor for older), or with updatedAfter the changes since the last poll
export const GET = withOrg({ permission: "read:conversations", params, query: listMessagesQuery }, async ({ user, params, query }) => {
  return (await getThread(user, params.id, query)).page;
});

// POST /api/conversations/[id]/messages: send a message as the agent (the client's idempotency key makes retries send once;
// the stored message, with its sender and status history, is the record of the send); a reply to an unassigned
// conversation assigns it to the sender (setting autoAssignOnReply), and then the changed conversation comes back too
export const POST = withOrg({ permission: "write:messages", params, body: sendMessageBody }, async ({ user, actor, params, body }) => {
  const { conversation } = await getConversationForUser(user, params.id);
  const message = await sendMessage(user.orgId, {
    conversationId: params.id,
    sender: "agent",
    senderUserId: user._id,
    idempotencyKey: body.idempotencyKey,
    content: body.content,
    replyToMessageId: body.replyToMessageId ? new ObjectId(body.replyToMessageId) : undefined,
  });
  if (!message.conversationId.equals(params.id)) throw new ApiError("conflict", "This idempotency key was already used for another conversation");
  const assigned = await assignOnReply(user, actor, conversation);
  const [response] = await toMessageResponses(user.orgId, [message]);
  return Response.json({ message: response, ...(assigned ? { conversation: toConversationResponse(assigned) } : {}) }, { status: 201 });
});
