import { ObjectId } from "mongodb";
import { isDuplicateKeyError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import { searchTokens } from "@/lib/search/tokens";
import type { AccountRef } from "./accounts";

export function liveKeyOf(contactId: ObjectId, accountId: ObjectId) {
  return `${contactId.toHexString()}:${accountId.toHexString()}`;
}

function snapshot(contact: ContactDoc) {
  return { name: contact.name, phone: contact.phone, identityKey: contact.identityKey };
}

export type ConversationSource = ConversationDoc["source"];

/**
 * The id of the contact's live conversation on this number. The contact carries it as a hint
 * (`liveConversationIds`) so the usual inbound message costs no conversation read; the hint is
 * verified by `liveKey` when the conversation is updated (see `applyInbound`).
 */
export async function liveConversationId(orgId: ObjectId, account: AccountRef, contact: ContactDoc, source: ConversationSource, at: Date) {
  return contact.liveConversationIds?.[account._id.toHexString()] ?? (await openLiveConversation(orgId, account, contact, source, at));
}

/**
 * Creates the one live conversation per (contact, account), unique by `liveKey`: concurrent first
 * messages race on the insert and the loser reads the winner's (insert + 11000 rather than an
 * upsert: FerretDB's findAndModify upsert drops null and empty-array fields of $setOnInsert).
 * Then records it on the contact.
 */
export async function openLiveConversation(orgId: ObjectId, account: AccountRef, contact: ContactDoc, source: ConversationSource, at: Date): Promise<ObjectId> {
  const db = scoped(orgId);
  const now = new Date();
  const liveKey = liveKeyOf(contact._id, account._id);
  const doc: Omit<ConversationDoc, "orgId"> = {
    _id: new ObjectId(),
    accountId: account._id,
    contactId: contact._id,
    liveKey,
    status: "open",
    priority: "normal",
    assigneeId: null,
    tags: [],
    contact: snapshot(contact),
    lastMessage: null,
    lastActivityAt: at,
    lastCustomerMessageAt: null,
    unreadCount: 0,
    firstResponseAt: null,
    snoozedUntil: null,
    resolvedAt: null,
    ai: { enabled: true, confidence: null, handoverReason: null, consecutiveReplies: 0 },
    source,
    searchTokens: searchTokens(contact.name, contact.phone, contact.username),
    createdAt: now,
    updatedAt: now,
  };
  let id = doc._id;
  try {
    await db("conversations").insertOne(doc);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const existing = await db("conversations").findOne({ liveKey });
    if (!existing) throw err;
    id = existing._id;
  }
  // Only when the hint is wrong: the deliveries that lost the insert race find it already written and
  // leave the contact alone (FerretDB can lose one of two concurrent updates of a document).
  const hint = `liveConversationIds.${account._id.toHexString()}`;
  await db("contacts").updateOne({ _id: contact._id, [hint]: { $ne: id } }, { $set: { [hint]: id, updatedAt: now } });
  return id;
}

export type InboundSummary = {
  /** Customer messages of this delivery that were not stored before: the unread increment. */
  newCustomerMessages: number;
  lastCustomerMessageAt: Date | null;
  lastActivityAt: Date;
  lastMessage: NonNullable<ConversationDoc["lastMessage"]> | null;
  source: ConversationSource;
  /** The contact, when this delivery changed what the conversation shows of it (else the snapshot stays). */
  contact: ContactDoc | null;
};

const REOPENABLE: ConversationDoc["status"][] = ["resolved", "snoozed"];

/**
 * Applies newly stored inbound messages to the live conversation: unread count (`$inc`), activity
 * and customer-window times (`$max`: deliveries come in any order, times only move forward), the
 * preview (only from a newer message), and reopening a resolved or snoozed conversation (`assigned`
 * when it has an assignee, else `open`). The usual case is ONE conditional update; only a
 * conversation to reopen, an older message arriving late, or a stale hint costs a read and a
 * compare-and-set. Returns false when the id is no longer the live conversation (closed since the
 * hint was written).
 */
export async function applyInbound(orgId: ObjectId, conversationId: ObjectId, liveKey: string, s: InboundSummary): Promise<boolean> {
  const conversations = scoped(orgId)("conversations");
  const now = new Date();
  const set = {
    updatedAt: now,
    ...(s.contact ? { contact: snapshot(s.contact), searchTokens: searchTokens(s.contact.name, s.contact.phone, s.contact.username) } : {}),
    ...(s.source ? { source: s.source } : {}),
  };
  const max = { lastActivityAt: s.lastActivityAt, ...(s.lastCustomerMessageAt ? { lastCustomerMessageAt: s.lastCustomerMessageAt } : {}) };
  const inc = { unreadCount: s.newCustomerMessages };
  const newerPreview = s.lastMessage ? { $or: [{ lastMessage: null }, { "lastMessage.at": { $lte: s.lastMessage.at } }] } : {};
  const fast = await conversations.updateOne(
    { _id: conversationId, liveKey, ...(s.newCustomerMessages > 0 ? { status: { $nin: REOPENABLE } } : {}), ...newerPreview },
    { $set: { ...set, ...(s.lastMessage ? { lastMessage: s.lastMessage } : {}) }, $max: max, $inc: inc },
  );
  if (fast.matchedCount > 0) return true;
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await conversations.findOne({ _id: conversationId });
    if (!current || current.liveKey !== liveKey) return false;
    const reopen = s.newCustomerMessages > 0 && REOPENABLE.includes(current.status);
    const newer = s.lastMessage && (!current.lastMessage || current.lastMessage.at <= s.lastMessage.at);
    const res = await conversations.updateOne(
      { _id: conversationId, liveKey, status: current.status },
      {
        $set: {
          ...set,
          ...(reopen ? { status: current.assigneeId ? ("assigned" as const) : ("open" as const), snoozedUntil: null } : {}),
          ...(newer ? { lastMessage: s.lastMessage } : {}),
        },
        $max: max,
        $inc: inc,
      },
    );
    if (res.matchedCount > 0) return true;
  }
  throw new Error(`conversation ${conversationId.toHexString()} kept changing while an inbound message was applied`);
}
