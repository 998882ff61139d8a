import { ObjectId } from "mongodb";
import { isDuplicateKeyError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import type { MessageDoc } from "@/lib/schemas/message";

/** The fields of a message that never goes to WhatsApp (system lines, internal notes); fresh arrays each call. */
export const notSentFields = () => ({
  media: null,
  replyTo: null,
  reactions: [],
  edited: null,
  revokedAt: null,
  forwarded: "no",
  status: null,
  statusHistory: [],
  error: null,
  pricing: null,
  waConversation: null,
}) satisfies Partial<MessageDoc>;

/**
 * An event line in the thread (assigned, resolved, snoozed...). Never sent to WhatsApp, never moves
 * the conversation in the list. `key` makes a retried job or request write it once.
 */
export async function addSystemMessage(
  orgId: ObjectId,
  conversation: Pick<ConversationDoc, "_id" | "contactId" | "accountId">,
  event: { text: string; payload: Record<string, unknown> & { event: string }; key?: string; at?: Date },
): Promise<MessageDoc> {
  const at = event.at ?? new Date();
  const doc: Omit<MessageDoc, "orgId"> = {
    _id: new ObjectId(),
    conversationId: conversation._id,
    contactId: conversation.contactId,
    accountId: conversation.accountId,
    key: `system:${event.payload.event}:${event.key ?? new ObjectId().toHexString()}`,
    waMessageId: null,
    direction: "outbound",
    sender: "system",
    senderUserId: null,
    type: "system",
    text: event.text,
    payload: event.payload,
    ...notSentFields(),
    sentAt: at,
    searchTokens: [],
    createdAt: at,
    updatedAt: at,
  };
  try {
    await scoped(orgId)("messages").insertOne(doc);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    return (await scoped(orgId)("messages").findOne({ key: doc.key }))!;
  }
  return { ...doc, orgId };
}

/** "14 Mar 2026, 09:30 UTC": system lines are stored as text, so they name the zone. */
export function formatUtc(d: Date): string {
  return `${new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC" }).format(d)} UTC`;
}
