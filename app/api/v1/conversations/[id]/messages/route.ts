import { ObjectId } from "mongodb";
import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { ApiError } from "@/lib/api/errors";
import { withApiKey } from "@/lib/api/with-api-key";
import { idempotencyKeyOf, idempotent, requestFingerprint } from "@/lib/api-keys/idempotency";
import { recordActivity } from "@/lib/audit/audit";
import { getConversationForUser } from "@/lib/inbox/access";
import { getThread } from "@/lib/inbox/list-messages";
import { toMessageResponses } from "@/lib/inbox/responses";
import { sendMessage } from "@/lib/messaging/send-message";
import { v1ListMessagesQuery, v1SendMessageBody } from "@/lib/schemas/public-api";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/v1/conversations/[id]/messages: the thread, newest page first (messages oldest first within it; cursor for older)
export const GET = withApiKey({ scope: "messages:read", params, query: v1ListMessagesQuery }, async ({ actingUser, params, query }) => {
  const { page } = await getThread(await actingUser(), params.id, query);
  return { messages: page.messages, nextCursor: page.nextCursor };
});

// POST /api/v1/conversations/[id]/messages: send text or a template; the required Idempotency-Key header makes a retry return
// the first response without sending again (the same key with another body: 422)
export const POST = withApiKey({ scope: "messages:write", params, body: v1SendMessageBody }, async ({ req, apiKey, orgId, actor, actingUser, params, body }) => {
  const key = idempotencyKeyOf(req);
  const result = await idempotent(orgId, apiKey._id, key, requestFingerprint("POST", req.nextUrl.pathname, body), async () => {
    await getConversationForUser(await actingUser(), params.id);
    // The message's own key derives from the Idempotency-Key, so two retries racing past the record still store one message and send once.
    const message = await sendMessage(orgId, { conversationId: params.id, sender: "agent", senderUserId: null, idempotencyKey: `api:${key}`, content: body.content });
    if (!message.conversationId.equals(params.id)) throw new ApiError("conflict", "This Idempotency-Key was already used for another conversation");
    const [response] = await toMessageResponses(orgId, [message]);
    return { status: 201, body: { message: response } };
  });
  // Audited by the one call whose response was stored first: concurrent retries of the same send are not separate writes.
  if (!result.replayed) {
    const message = (result.body as { message: { id: string; type: string; status: string | null } }).message;
    await recordActivity(orgId, actor, { action: "message.sent", entityType: "message", entityId: new ObjectId(message.id), after: { conversationId: params.id.toHexString(), type: message.type, status: message.status } });
  }
  return Response.json(result.body, { status: result.status, headers: result.replayed ? { "idempotent-replayed": "true" } : {} });
});
