import { ObjectId, type Document, type UpdateFilter } from "mongodb";
import { emitLifecycle } from "@/lib/automation/emit";
import { ApiError, isDuplicateKeyError } from "@/lib/api/errors";
import { aiResetOnResolve, enqueueResolvedAnalysis } from "@/lib/ai/ai-analyze-job";
import { can } from "@/lib/auth/permissions";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { scoped } from "@/lib/db/scoped";
import { log } from "@/lib/log";
import { emitEvent } from "@/lib/outbound-webhooks/emit";
import { conversationData } from "@/lib/outbound-webhooks/payloads";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import type { settableStatuses } from "@/lib/schemas/inbox";
import type { MessageDoc } from "@/lib/schemas/message";
import type { UserDoc } from "@/lib/schemas/user";
import { searchTokens } from "@/lib/search/tokens";
import { graphClientFor } from "@/lib/whatsapp/graph-client";
import type { Viewer } from "./access";
import { nextStatusOnAssign } from "./optimistic";
import { addSystemMessage, formatUtc, notSentFields } from "./system-message";

export type ActingUser = Viewer & Pick<UserDoc, "name">;
type ConversationUpdate = UpdateFilter<ConversationDoc & Document>;

const MAX_SNOOZE_MS = 366 * 24 * 3600_000;

/** An active team member who can hold conversations (viewers and marketers cannot). */
export async function assignableUser(orgId: ObjectId, id: ObjectId): Promise<UserDoc> {
  const user = await scoped(orgId)("users").findOne({ _id: id });
  if (!user || !user.active || !can(user.role, "write:messages")) {
    throw new ApiError("unprocessable_entity", "The assignee must be an active agent, supervisor or admin of this organization");
  }
  return user;
}

/**
 * Assigns (or unassigns with null). Agents may take an unassigned conversation and release their
 * own; assigning to someone else or taking someone else's needs `assign:conversations`. The write is
 * conditional on the assignee read, so two people taking the same conversation at once get one winner.
 */
export async function assignConversation(
  user: ActingUser,
  actor: Actor,
  conversation: ConversationDoc,
  targetId: ObjectId | null,
): Promise<ConversationDoc> {
  const orgId = user.orgId;
  const current = conversation.assigneeId;
  if (current === null ? targetId === null : targetId !== null && current.equals(targetId)) return conversation;
  const supervisor = can(user.role, "assign:conversations");
  const selfTake = targetId !== null && targetId.equals(user._id) && current === null;
  const selfRelease = targetId === null && current !== null && current.equals(user._id);
  if (!supervisor && !selfTake && !selfRelease) {
    throw new ApiError("forbidden", "Only supervisors and admins can assign conversations to others or reassign them");
  }
  // Taking it oneself needs no read: the session has just checked that this user is active and may write.
  const target = !targetId ? null : targetId.equals(user._id) ? user : await assignableUser(orgId, targetId);
  return applyAssignment(orgId, { id: user._id, name: user.name }, actor, conversation, target);
}

/**
 * The assignment itself, once who may assign whom is settled (above, or an automation step): one
 * conditional write on the assignee read, the thread line, the audit entry and the outbound event.
 */
export async function applyAssignment(
  orgId: ObjectId,
  by: ChangedBy,
  actor: Actor,
  conversation: ConversationDoc,
  target: Pick<UserDoc, "_id" | "name"> | null,
): Promise<ConversationDoc> {
  const current = conversation.assigneeId;
  const targetId = target?._id ?? null;
  const status = nextStatusOnAssign(conversation.status, targetId !== null);
  const now = new Date();
  const updated = await scoped(orgId)("conversations").findOneAndUpdate(
    { _id: conversation._id, assigneeId: current },
    { $set: { assigneeId: targetId, status, updatedAt: now } },
    { returnDocument: "after" },
  );
  if (!updated) throw new ApiError("conflict", "Someone else changed the assignment in the meantime; reload and try again");
  const text = !target
    ? `${by.name} unassigned the conversation`
    : by.id && target._id.equals(by.id)
      ? `${by.name} took the conversation`
      : `${by.name} assigned the conversation to ${target.name}`;
  // The thread line and the audit entry are independent writes: sent together, one round trip of wait.
  await Promise.all([
    addSystemMessage(orgId, conversation, {
      text,
      payload: { event: target ? "assigned" : "unassigned", by: by.id?.toHexString() ?? null, assigneeId: target?._id.toHexString() ?? null, assigneeName: target?.name ?? null },
    }),
    recordActivity(orgId, actor, {
      action: target ? "conversation.assigned" : "conversation.unassigned",
      entityType: "conversation",
      entityId: conversation._id,
      before: { assigneeId: current?.toHexString() ?? null, status: conversation.status },
      after: { assigneeId: target?._id.toHexString() ?? null, status },
    }),
    target ? emitEvent(orgId, "conversation.assigned", { ...conversationData(updated as ConversationDoc), assignedBy: by.id?.toHexString() ?? null }) : null,
  ]);
  return updated as ConversationDoc;
}

const statusText: Record<(typeof settableStatuses)[number], string> = {
  open: "reopened the conversation",
  waiting: "marked the conversation as waiting for the customer",
  resolved: "resolved the conversation",
  closed: "closed the conversation",
  snoozed: "snoozed the conversation",
};

/**
 * Status changes. Closing rewrites `liveKey`, so the contact's next message starts a new
 * conversation; reopening a closed one takes the live key back (409 if a newer one holds it).
 */
export async function setConversationStatus(
  user: ActingUser,
  actor: Actor,
  conversation: ConversationDoc,
  input: { status: (typeof settableStatuses)[number]; snoozedUntil?: Date },
): Promise<ConversationDoc> {
  return changeConversationStatus(user.orgId, { id: user._id, name: user.name }, actor, conversation, input);
}

/** Who changed a conversation, for its thread line: a person, or the product itself (an automation step; `id` null). */
export type ChangedBy = { id: ObjectId | null; name: string };

/** The status change itself, for a person (above) or an automation: one mechanism, one set of side effects. */
export async function changeConversationStatus(
  orgId: ObjectId,
  by: ChangedBy,
  actor: Actor,
  conversation: ConversationDoc,
  input: { status: (typeof settableStatuses)[number]; snoozedUntil?: Date },
): Promise<ConversationDoc> {
  const now = new Date();
  if (input.status === "snoozed") {
    const until = input.snoozedUntil!;
    if (until.getTime() <= now.getTime()) throw new ApiError("unprocessable_entity", "snoozedUntil must be in the future");
    if (until.getTime() - now.getTime() > MAX_SNOOZE_MS) throw new ApiError("unprocessable_entity", "snoozedUntil must be within a year");
  }
  const status: ConversationDoc["status"] = input.status === "open" ? (conversation.assigneeId ? "assigned" : "open") : input.status;
  const snoozedUntil = input.status === "snoozed" ? input.snoozedUntil! : null;
  if (status === conversation.status && (snoozedUntil?.getTime() ?? null) === (conversation.snoozedUntil?.getTime() ?? null)) return conversation;

  const liveKey = `${conversation.contactId.toHexString()}:${conversation.accountId.toHexString()}`;
  const set: Partial<ConversationDoc> = {
    status,
    snoozedUntil,
    updatedAt: now,
    resolvedAt: status === "resolved" ? now : status === "closed" ? (conversation.resolvedAt ?? now) : null,
    liveKey: status === "closed" ? `closed:${conversation._id.toHexString()}` : liveKey,
  };
  // Resolving also resets the AI's handover state, in the same write (no second update).
  const aiReset = status === "resolved" ? aiResetOnResolve : {};
  const conflict = () => new ApiError("conflict", "This contact already has a newer open conversation; continue there instead of reopening this one");
  let updated: ConversationDoc | null;
  try {
    updated = (await scoped(orgId)("conversations").findOneAndUpdate(
      { _id: conversation._id, status: conversation.status },
      { $set: { ...set, ...aiReset } } as ConversationUpdate,
      { returnDocument: "after" },
    )) as ConversationDoc | null;
  } catch (err) {
    if (isDuplicateKeyError(err)) throw conflict();
    throw err;
  }
  if (!updated) throw new ApiError("conflict", "Someone else changed the status in the meantime; reload and try again");
  const text = `${by.name} ${statusText[input.status]}${snoozedUntil ? ` until ${formatUtc(snoozedUntil)}` : ""}`;
  await Promise.all([
    addSystemMessage(orgId, conversation, {
      text,
      payload: { event: input.status === "open" ? "reopened" : input.status, by: by.id?.toHexString() ?? null, ...(snoozedUntil ? { until: snoozedUntil.toISOString() } : {}) },
    }),
    recordActivity(orgId, actor, {
      action: `conversation.${input.status === "open" ? "reopened" : input.status}`,
      entityType: "conversation",
      entityId: conversation._id,
      before: { status: conversation.status, snoozedUntil: conversation.snoozedUntil?.toISOString() ?? null },
      after: { status, snoozedUntil: snoozedUntil?.toISOString() ?? null },
    }),
    status === "resolved" ? enqueueResolvedAnalysis(orgId, conversation._id) : null,
    status === "resolved" ? emitLifecycle(orgId, "conversation_resolved", { contactId: conversation.contactId, conversationId: conversation._id }) : null,
    status === "resolved" ? emitEvent(orgId, "conversation.resolved", { ...conversationData(updated), resolvedBy: by.id?.toHexString() ?? null }) : null,
  ]);
  return updated;
}

/** Priority, tags and the per-conversation AI switch. */
export async function updateConversation(
  user: ActingUser,
  actor: Actor,
  conversation: ConversationDoc,
  patch: { priority?: ConversationDoc["priority"]; tags?: string[]; aiEnabled?: boolean },
): Promise<ConversationDoc> {
  const orgId = user.orgId;
  const set: Record<string, unknown> = {};
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  const lines: { text: string; event: string }[] = [];
  if (patch.priority && patch.priority !== conversation.priority) {
    before.priority = conversation.priority;
    set.priority = after.priority = patch.priority;
    lines.push({ event: "priority", text: `${user.name} set the priority to ${patch.priority}` });
  }
  if (patch.tags) {
    const tags = [...new Set(patch.tags.map((t) => t.toLowerCase()))];
    const added = tags.filter((t) => !conversation.tags.includes(t));
    const removed = conversation.tags.filter((t) => !tags.includes(t));
    if (added.length || removed.length) {
      before.tags = conversation.tags;
      set.tags = after.tags = tags;
      const parts = [added.length ? `added ${added.join(", ")}` : "", removed.length ? `removed ${removed.join(", ")}` : ""].filter(Boolean);
      lines.push({ event: "tags", text: `${user.name} ${parts.join(" and ")} ${added.length + removed.length > 1 ? "tags" : "tag"}` });
    }
  }
  if (patch.aiEnabled !== undefined && patch.aiEnabled !== conversation.ai.enabled) {
    before.aiEnabled = conversation.ai.enabled;
    set["ai.enabled"] = after.aiEnabled = patch.aiEnabled;
    lines.push({ event: patch.aiEnabled ? "ai_on" : "ai_off", text: `${user.name} turned AI replies ${patch.aiEnabled ? "on" : "off"} for this conversation` });
  }
  if (lines.length === 0) return conversation;
  const now = new Date();
  const updated = await scoped(orgId)("conversations").findOneAndUpdate(
    { _id: conversation._id },
    { $set: { ...set, updatedAt: now } } as ConversationUpdate,
    { returnDocument: "after" },
  );
  if (!updated) throw new ApiError("not_found", "Conversation not found");
  await Promise.all([
    ...lines.map((line) => addSystemMessage(orgId, conversation, { text: line.text, payload: { event: line.event, by: user._id.toHexString() }, at: now })),
    recordActivity(orgId, actor, { action: "conversation.updated", entityType: "conversation", entityId: conversation._id, before, after }),
  ]);
  return updated as ConversationDoc;
}

/**
 * Resets the unread counter and tells WhatsApp the customer's messages were read (blue ticks on
 * their phone). The receipt is best effort: a Graph failure is logged, the inbox state still changes.
 */
export async function markConversationRead(user: ActingUser, actor: Actor, conversation: ConversationDoc): Promise<ConversationDoc> {
  const orgId = user.orgId;
  if (conversation.unreadCount === 0) return conversation;
  const db = scoped(orgId);
  const updated = await db("conversations").findOneAndUpdate(
    { _id: conversation._id },
    { $set: { unreadCount: 0, updatedAt: new Date() } },
    { returnDocument: "after" },
  );
  const lastInbound = await db("messages").findOne(
    { conversationId: conversation._id, direction: "inbound", waMessageId: { $ne: null } },
    { sort: { sentAt: -1, _id: -1 }, projection: { waMessageId: 1 } },
  );
  if (lastInbound?.waMessageId) {
    try {
      await (await graphClientFor(orgId, conversation.accountId)).markAsRead(lastInbound.waMessageId);
    } catch (err) {
      log.warn("inbox.read_receipt_failed", { orgId: orgId.toHexString(), conversationId: conversation._id.toHexString(), err });
    }
  }
  // Not audited: reading is not a change anyone needs to account for, and every open of a thread
  // would flood the log (issue 16).
  return (updated as ConversationDoc | null) ?? conversation;
}

/**
 * An internal note: a message of type `note` in the thread, never sent to WhatsApp. The client's
 * idempotency key makes a double submit store one note.
 */
export async function addNote(
  user: ActingUser,
  actor: Actor,
  conversation: ConversationDoc,
  input: { idempotencyKey: string; text: string; mentions: string[] },
): Promise<MessageDoc> {
  const orgId = user.orgId;
  const db = scoped(orgId);
  const key = `out:${input.idempotencyKey}`;
  const existing = await db("messages").findOne({ key });
  if (existing) return existing;
  const mentionIds = [...new Set(input.mentions)].map((id) => new ObjectId(id));
  const mentioned = mentionIds.length
    ? await db("users").find({ _id: { $in: mentionIds }, active: true }, { projection: { _id: 1, name: 1 } }).toArray()
    : [];
  if (mentioned.length !== mentionIds.length) throw new ApiError("unprocessable_entity", "mentions: every mentioned user must be an active member of this organization");
  const now = new Date();
  const note: Omit<MessageDoc, "orgId"> = {
    _id: new ObjectId(),
    conversationId: conversation._id,
    contactId: conversation.contactId,
    accountId: conversation.accountId,
    key,
    waMessageId: null,
    direction: "outbound",
    sender: "agent",
    senderUserId: user._id,
    type: "note",
    text: input.text,
    payload: { mentions: mentioned.map((m) => ({ id: m._id.toHexString(), name: m.name })) },
    ...notSentFields(),
    sentAt: now,
    searchTokens: searchTokens(input.text),
    createdAt: now,
    updatedAt: now,
  };
  try {
    await db("messages").insertOne(note);
  } catch (err) {
    if (isDuplicateKeyError(err)) return (await db("messages").findOne({ key }))!;
    throw err;
  }
  await db("conversations").updateOne({ _id: conversation._id }, { $set: { updatedAt: now } });
  await recordActivity(orgId, actor, {
    action: "message.note_added",
    entityType: "message",
    entityId: note._id,
    after: { conversationId: conversation._id.toHexString(), mentions: mentioned.map((m) => m._id.toHexString()) },
  });
  return { ...note, orgId };
}
