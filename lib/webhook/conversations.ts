import { ObjectId } from "mongodb";
import { conversationContactFields } from "@/lib/contacts/contact-fields";
import { scoped } from "@/lib/db/scoped";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import type { AccountRef } from "./accounts";
import type { EventInput } from "@/lib/outbound-webhooks/emit";
import { conversationData } from "@/lib/outbound-webhooks/payloads";

export function liveKeyOf(contactId: ObjectId, accountId: ObjectId) {
  return `${contactId.toHexString()}:${accountId.toHexString()}`;
}

export type ConversationSource = ConversationDoc["source"];

/**
 * The id of the contact's live conversation on this number. The contact carries it as a hint
 * (`liveConversationIds`) so the usual inbound message costs no conversation read; the hint is
 * verified by `liveKey` when the conversation is updated (see `applyInbound`).
 */
export async function liveConversationId(orgId: ObjectId, account: AccountRef, contact: ContactDoc, source: ConversationSource, at: Date, events?: EventInput[]) {
  return contact.liveConversationIds?.[account._id.toHexString()] ?? (await openLiveConversation(orgId, account, contact, source, at, events));
}

/**
 * The one live conversation per (contact, account): an upsert on the unique `liveKey`, so
 * concurrent first messages all get the same conversation (MongoDB retries an upsert that loses the
 * race on a unique key it matches by equality). Then records it on the contact.
 */
export async function openLiveConversation(orgId: ObjectId, account: AccountRef, contact: ContactDoc, source: ConversationSource, at: Date, events?: EventInput[]): Promise<ObjectId> {
  const db = scoped(orgId);
  const now = new Date();
  const fresh = freshConversation(account, contact, source, at, now);
  const live = await db("conversations").findOneAndUpdate(
    { liveKey: liveKeyOf(contact._id, account._id) },
    { $setOnInsert: fresh },
    { upsert: true, returnDocument: "after", projection: { _id: 1 } },
  );
  const id = live!._id;
  // This upsert inserted it (the id is ours): subscribers hear `conversation.created`, with the webhook's other events.
  if (events && id.equals(fresh._id)) events.push({ id: `evt_conv_${id.toHexString()}`, type: "conversation.created", occurredAt: now, data: conversationData(fresh) });
  // Skipped when a concurrent delivery already wrote the same hint.
  const hint = `liveConversationIds.${account._id.toHexString()}`;
  await db("contacts").updateOne({ _id: contact._id, [hint]: { $ne: id } }, { $set: { [hint]: id, updatedAt: now } });
  return id;
}

/**
 * The live conversations of many contacts on one number, in a fixed number of round trips whatever
 * their number: the contacts' hints are verified in one primary-key read; for the rest one bulk
 * upsert on `liveKey` (creating the missing ones as `status`) and one read of their ids; then one
 * bulk update of the hints that changed. Campaign sends create missing ones as `resolved`, so a
 * broadcast does not fill the inbox; the customer's reply reopens it.
 */
export async function openLiveConversations(
  orgId: ObjectId,
  account: AccountRef,
  contacts: ContactDoc[],
  opts: { status: ConversationDoc["status"]; source: ConversationSource; at: Date },
): Promise<Map<string, ObjectId>> {
  const db = scoped(orgId);
  const result = new Map<string, ObjectId>();
  if (contacts.length === 0) return result;
  const now = new Date();
  const accountKey = account._id.toHexString();
  const hinted = contacts.filter((c) => c.liveConversationIds?.[accountKey]);
  if (hinted.length) {
    const verified = await db("conversations")
      .find({ _id: { $in: hinted.map((c) => c.liveConversationIds![accountKey]!) }, liveKey: { $in: hinted.map((c) => liveKeyOf(c._id, account._id)) } }, { projection: { _id: 1, contactId: 1 } })
      .toArray();
    for (const c of verified) result.set(c.contactId.toHexString(), c._id);
  }
  const rest = contacts.filter((c) => !result.has(c._id.toHexString()));
  const keys = rest.map((c) => liveKeyOf(c._id, account._id));
  if (rest.length) {
    await db("conversations").bulkWrite(
      rest.map((contact, i) => ({
        updateOne: {
          filter: { liveKey: keys[i]! },
          update: { $setOnInsert: { ...freshConversation(account, contact, opts.source, opts.at, now), status: opts.status, ...(opts.status === "resolved" ? { resolvedAt: now } : {}) } },
          upsert: true,
        },
      })),
      { ordered: false },
    );
    const live = await db("conversations").find({ liveKey: { $in: keys } }, { projection: { _id: 1, contactId: 1 } }).toArray();
    for (const c of live) result.set(c.contactId.toHexString(), c._id);
  }
  const hint = `liveConversationIds.${account._id.toHexString()}`;
  const stale = contacts.filter((c) => {
    const id = result.get(c._id.toHexString());
    return id && !c.liveConversationIds?.[account._id.toHexString()]?.equals(id);
  });
  if (stale.length) {
    await db("contacts").bulkWrite(
      stale.map((c) => ({ updateOne: { filter: { _id: c._id }, update: { $set: { [hint]: result.get(c._id.toHexString())!, updatedAt: now } } } })),
      { ordered: false },
    );
  }
  return result;
}

function freshConversation(account: AccountRef, contact: ContactDoc, source: ConversationSource, at: Date, now: Date): Omit<ConversationDoc, "orgId" | "liveKey"> {
  return {
    _id: new ObjectId(),
    accountId: account._id,
    contactId: contact._id,
    status: "open",
    priority: "normal",
    assigneeId: null,
    tags: [],
    ...conversationContactFields(contact),
    lastMessage: null,
    lastActivityAt: at,
    lastCustomerMessageAt: null,
    unreadCount: 0,
    countedMessageIds: [],
    firstResponseAt: null,
    snoozedUntil: null,
    resolvedAt: null,
    ai: { enabled: true, confidence: null, handoverReason: null, consecutiveReplies: 0 },
    source,
    createdAt: now,
    updatedAt: now,
  };
}

export type InboundSummary = {
  /** The stored messages this update counts (the guard against counting a resend twice). */
  messageIds: ObjectId[];
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

/** How many message ids a conversation keeps to recognise a resend it has already counted. */
export const COUNTED_MESSAGES_KEPT = 100;

export type ApplyOutcome = { kind: "applied" } | { kind: "not_live" } | { kind: "already_counted"; ids: ObjectId[] };

/**
 * Applies stored inbound messages to the live conversation: unread count (`$inc`), activity and
 * customer-window times (`$max`: deliveries come in any order, times only move forward), the
 * preview (only from a newer message), and reopening a resolved or snoozed conversation (`assigned`
 * when it has an assignee, else `open`). Every step is an atomic update with its condition in the
 * filter. The usual case is ONE update; a conversation to reopen or an older message arriving late
 * costs one more per step.
 *
 * Without transactions the messages are stored before this runs, so the counter update carries its
 * own guard: it also pushes the message ids onto `countedMessageIds` and matches only while none of
 * them is there. A resend after a failure in between counts them then, a concurrent one not twice.
 * Returns `not_live` when the id is no longer the live conversation (closed since the hint was
 * written), `already_counted` with the ids another delivery counted first (the caller applies the rest).
 */
export async function applyInbound(orgId: ObjectId, conversationId: ObjectId, liveKey: string, s: InboundSummary): Promise<ApplyOutcome> {
  const conversations = scoped(orgId)("conversations");
  const now = new Date();
  const set = {
    updatedAt: now,
    ...(s.contact ? conversationContactFields(s.contact) : {}),
    ...(s.source ? { source: s.source } : {}),
  };
  const max = { lastActivityAt: s.lastActivityAt, ...(s.lastCustomerMessageAt ? { lastCustomerMessageAt: s.lastCustomerMessageAt } : {}) };
  const counters = {
    $inc: { unreadCount: s.newCustomerMessages },
    $push: { countedMessageIds: { $each: s.messageIds, $slice: -COUNTED_MESSAGES_KEPT } },
  };
  const reopens = s.newCustomerMessages > 0;
  const newerPreview = s.lastMessage ? { $or: [{ lastMessage: null }, { "lastMessage.at": { $lte: s.lastMessage.at } }] } : {};
  const live = { _id: conversationId, liveKey };
  const uncounted = { ...live, countedMessageIds: { $nin: s.messageIds } };
  const all = await conversations.updateOne(
    { ...uncounted, ...(reopens ? { status: { $nin: REOPENABLE } } : {}), ...newerPreview },
    { $set: { ...set, ...(s.lastMessage ? { lastMessage: s.lastMessage } : {}) }, $max: max, ...counters },
  );
  if (all.matchedCount > 0) return { kind: "applied" };
  // Not the usual case: the counters and times go in unconditionally, then each conditional part on its own.
  const before = await conversations.findOneAndUpdate(uncounted, { $set: set, $max: max, ...counters }, { returnDocument: "before", projection: { status: 1, lastMessage: 1 } });
  if (!before) {
    const current = await conversations.findOne(live, { projection: { countedMessageIds: 1 } });
    if (!current) return { kind: "not_live" };
    const counted = new Set((current.countedMessageIds ?? []).map((id) => id.toHexString()));
    return { kind: "already_counted", ids: s.messageIds.filter((id) => counted.has(id.toHexString())) };
  }
  if (s.lastMessage && (!before.lastMessage || before.lastMessage.at <= s.lastMessage.at)) {
    await conversations.updateOne({ ...live, ...newerPreview }, { $set: { lastMessage: s.lastMessage, updatedAt: now } });
  }
  if (reopens && REOPENABLE.includes(before.status)) {
    const reopen = (status: "open" | "assigned") => ({ $set: { status, snoozedUntil: null, updatedAt: now } });
    const open = await conversations.updateOne({ ...live, status: { $in: REOPENABLE }, assigneeId: null }, reopen("open"));
    if (open.matchedCount === 0) await conversations.updateOne({ ...live, status: { $in: REOPENABLE }, assigneeId: { $ne: null } }, reopen("assigned"));
  }
  return { kind: "applied" };
}
