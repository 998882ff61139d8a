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
  let created = true;
  try {
    await db("conversations").insertOne(doc);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const existing = await db("conversations").findOne({ liveKey });
    if (!existing) throw err;
    id = existing._id;
    created = false;
  }
  await db("contacts").updateOne(
    { _id: contact._id },
    { $set: { [`liveConversationIds.${account._id.toHexString()}`]: id, updatedAt: now }, $inc: { conversationCount: created ? 1 : 0 } },
  );
  return id;
}

export type InboundSummary = {
  /** Customer messages of this delivery that were not stored before: the unread increment. */
  newCustomerMessages: number;
  lastCustomerMessageAt: Date | null;
  lastActivityAt: Date;
  lastMessage: NonNullable<ConversationDoc["lastMessage"]> | null;
  source: ConversationSource;
};

/**
 * Applies newly stored inbound messages to the live conversation in one round trip (an ordered
 * bulk write): reopen a resolved or snoozed conversation, move the activity and customer-window
 * times forward only ($max: deliveries come in any order), replace the preview only with a newer
 * message, and add the unread count. Returns false when the id is no longer the live conversation
 * (closed since the hint was written).
 */
export async function applyInbound(orgId: ObjectId, conversationId: ObjectId, liveKey: string, contact: ContactDoc, s: InboundSummary): Promise<boolean> {
  const now = new Date();
  const live = { _id: conversationId, liveKey };
  const reopenable = { ...live, status: { $in: ["resolved", "snoozed"] as ConversationDoc["status"][] } };
  const ops = [];
  if (s.newCustomerMessages > 0) {
    ops.push(
      { updateOne: { filter: { ...reopenable, assigneeId: null }, update: { $set: { status: "open" as const, snoozedUntil: null, updatedAt: now } } } },
      { updateOne: { filter: { ...reopenable, assigneeId: { $ne: null } }, update: { $set: { status: "assigned" as const, snoozedUntil: null, updatedAt: now } } } },
    );
  }
  ops.push({
    updateOne: {
      filter: live,
      update: {
        $set: {
          updatedAt: now,
          contact: snapshot(contact),
          searchTokens: searchTokens(contact.name, contact.phone, contact.username),
          ...(s.source ? { source: s.source } : {}),
        },
        $max: { lastActivityAt: s.lastActivityAt, ...(s.lastCustomerMessageAt ? { lastCustomerMessageAt: s.lastCustomerMessageAt } : {}) },
        $inc: { unreadCount: s.newCustomerMessages },
      },
    },
  });
  if (s.lastMessage) {
    ops.push({
      updateOne: {
        filter: { ...live, $or: [{ lastMessage: null }, { "lastMessage.at": { $lte: s.lastMessage.at } }] },
        update: { $set: { lastMessage: s.lastMessage } },
      },
    });
  }
  const res = await scoped(orgId)("conversations").bulkWrite(ops, { ordered: true });
  return res.matchedCount > 0;
}
