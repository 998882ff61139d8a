import { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import type { MessageDoc } from "@/lib/schemas/message";

/** Unique per test worker (random 4-digit suffixes collided within one organization). */
let nextPhone = 5_550_000 + Math.floor(Math.random() * 4_000_000);

/** A contact and its live conversation, as ingestion would have left them. */
export async function createConversation(
  orgId: ObjectId,
  accountId: ObjectId,
  opts: { phone?: string; lastCustomerMessageAt?: Date | null; consent?: ContactDoc["consent"]["state"] } = {},
) {
  const now = new Date();
  const phone = opts.phone ?? `+1415${String(nextPhone++).padStart(7, "0")}`;
  const contact: Omit<ContactDoc, "orgId"> = {
    _id: new ObjectId(), identityKey: phone, phone, waId: phone.slice(1), bsuid: null, username: null, name: "Maria Garcia", profileName: "Maria",
    email: null, company: null, tags: [], customFields: {},
    consent: { state: opts.consent ?? "unknown", marketing: true, changedAt: null, source: null },
    source: { kind: "whatsapp", referral: null, at: now }, lastInboundAt: now, searchTokens: [], createdAt: now, updatedAt: now,
  };
  await scoped(orgId)("contacts").insertOne(contact);
  const conversation: Omit<ConversationDoc, "orgId"> = {
    _id: new ObjectId(), accountId, contactId: contact._id, liveKey: `${contact._id.toHexString()}:${accountId.toHexString()}`, status: "open",
    priority: "normal", assigneeId: null, tags: [], contact: { name: contact.name, phone, identityKey: phone }, lastMessage: null, lastActivityAt: now,
    lastCustomerMessageAt: opts.lastCustomerMessageAt === undefined ? now : opts.lastCustomerMessageAt, unreadCount: 1, firstResponseAt: null,
    snoozedUntil: null, resolvedAt: null, ai: { enabled: false, confidence: null, handoverReason: null, consecutiveReplies: 0 }, source: null,
    searchTokens: [], createdAt: now, updatedAt: now,
  };
  await scoped(orgId)("conversations").insertOne(conversation);
  return { contact: { ...contact, orgId }, conversation: { ...conversation, orgId } };
}

/** An inbound message (optionally with media not downloaded yet). */
export async function createInboundMessage(
  orgId: ObjectId,
  conv: { _id: ObjectId; contactId: ObjectId; accountId: ObjectId },
  opts: { wamid?: string; type?: MessageDoc["type"]; text?: string | null; media?: Partial<NonNullable<MessageDoc["media"]>> } = {},
) {
  const now = new Date();
  const wamid = opts.wamid ?? `wamid.test${new ObjectId().toHexString()}`;
  const message: Omit<MessageDoc, "orgId"> = {
    _id: new ObjectId(), conversationId: conv._id, contactId: conv.contactId, accountId: conv.accountId, key: `wa:${wamid}`, waMessageId: wamid,
    direction: "inbound", sender: "customer", senderUserId: null, type: opts.type ?? (opts.media ? "image" : "text"), text: opts.text ?? null, payload: null,
    media: opts.media
      ? { waMediaId: null, mimeType: null, sha256: null, filename: null, caption: null, size: null, fileId: null, download: "pending", downloadError: null, ...opts.media }
      : null,
    replyTo: null, reactions: [], edited: null, revokedAt: null, forwarded: "no", status: null, statusHistory: [], error: null, pricing: null,
    waConversation: null, sentAt: now, searchTokens: [], createdAt: now, updatedAt: now,
  };
  await scoped(orgId)("messages").insertOne(message);
  return { ...message, orgId };
}
