import { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import type { MessageDoc } from "@/lib/schemas/message";
import { searchTokens } from "@/lib/search/tokens";

let seq = 0;

/** A conversation (and its contact) in any state the inbox must show; defaults: open, unassigned, active now. */
export async function seedConversation(
  orgId: ObjectId,
  opts: Partial<Pick<ConversationDoc, "status" | "assigneeId" | "priority" | "tags" | "unreadCount" | "lastActivityAt" | "lastCustomerMessageAt" | "updatedAt" | "snoozedUntil">> & {
    name?: string;
    phone?: string;
    accountId?: ObjectId;
  } = {},
): Promise<ConversationDoc> {
  const now = new Date();
  const n = ++seq;
  const phone = opts.phone ?? `+1415${String(5_000_000 + n).padStart(7, "0")}`;
  const name = opts.name ?? `Customer ${n}`;
  const accountId = opts.accountId ?? new ObjectId();
  const contactId = new ObjectId();
  await scoped(orgId)("contacts").insertOne({
    _id: contactId, identityKey: phone, phone, waId: phone.slice(1), bsuid: null, username: null, name, profileName: null, email: null, company: null,
    tags: [], customFields: {}, consent: { state: "opted_in", marketing: true, changedAt: null, source: null },
    source: { kind: "whatsapp", referral: null, at: now }, lastInboundAt: now, searchTokens: searchTokens(name, phone),
    createdAt: now, updatedAt: now,
  });
  const at = opts.lastActivityAt ?? now;
  const conversation: Omit<ConversationDoc, "orgId"> = {
    _id: new ObjectId(), accountId, contactId, liveKey: `${contactId.toHexString()}:${accountId.toHexString()}`,
    status: opts.status ?? (opts.assigneeId ? "assigned" : "open"), priority: opts.priority ?? "normal", assigneeId: opts.assigneeId ?? null,
    tags: opts.tags ?? [], contact: { name, phone, identityKey: phone },
    lastMessage: { preview: "Hello", type: "text", sender: "customer", status: null, at },
    lastActivityAt: at, lastCustomerMessageAt: opts.lastCustomerMessageAt === undefined ? at : opts.lastCustomerMessageAt,
    unreadCount: opts.unreadCount ?? 0, firstResponseAt: null, snoozedUntil: opts.snoozedUntil ?? null, resolvedAt: null,
    ai: { enabled: true, confidence: null, handoverReason: null, consecutiveReplies: 0 }, source: null,
    searchTokens: searchTokens(name, phone), createdAt: at, updatedAt: opts.updatedAt ?? at,
  };
  await scoped(orgId)("conversations").insertOne(conversation);
  return { ...conversation, orgId };
}

/** A message in a conversation's thread (inbound text by default). */
export async function seedMessage(
  orgId: ObjectId,
  conversation: Pick<ConversationDoc, "_id" | "contactId" | "accountId">,
  opts: Partial<Pick<MessageDoc, "direction" | "sender" | "type" | "text" | "sentAt" | "updatedAt" | "payload" | "status" | "replyTo" | "waMessageId">> = {},
): Promise<MessageDoc> {
  const sentAt = opts.sentAt ?? new Date();
  const direction = opts.direction ?? "inbound";
  const wamid = opts.waMessageId ?? `wamid.seed${new ObjectId().toHexString()}`;
  const message: Omit<MessageDoc, "orgId"> = {
    _id: new ObjectId(), conversationId: conversation._id, contactId: conversation.contactId, accountId: conversation.accountId,
    key: direction === "inbound" ? `wa:${wamid}` : `out:seed-${new ObjectId().toHexString()}`, waMessageId: wamid, direction,
    sender: opts.sender ?? (direction === "inbound" ? "customer" : "agent"), senderUserId: null, type: opts.type ?? "text", text: opts.text ?? "Hello",
    payload: opts.payload ?? null, media: null, replyTo: opts.replyTo ?? null, reactions: [], edited: null, revokedAt: null, forwarded: "no",
    status: opts.status ?? (direction === "outbound" ? "sent" : null), statusHistory: [], error: null, pricing: null, waConversation: null,
    sentAt, searchTokens: searchTokens(opts.text ?? "Hello"), createdAt: sentAt, updatedAt: opts.updatedAt ?? sentAt,
  };
  await scoped(orgId)("messages").insertOne(message);
  return { ...message, orgId };
}
