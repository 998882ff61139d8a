import type { ObjectId } from "mongodb";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { scoped } from "@/lib/db/scoped";
import { ApiError } from "@/lib/api/errors";
import { getSettings } from "@/lib/settings/settings";
import { autoAssign } from "@/lib/inbox/auto-assign";
import { addSystemMessage } from "@/lib/inbox/system-message";
import { log } from "@/lib/log";
import { sendMessage } from "@/lib/messaging/send-message";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import { contactSearchTokens, refreshConversationSnapshots, touchesConversations } from "@/lib/contacts/contact-fields";
import type { ActionExecutor } from "./conversation-agent";
import type { ToolArgs } from "./conversation-tools";
import { createTicket } from "@/lib/tickets/tickets";

/** The AI as it appears in the audit log. */
export const aiActor: Actor = { id: null, name: "AI agent" };

/** Statuses in which the AI may act on a conversation (nobody human has it). */
export const AI_STATUSES = ["open", "ai_handled"] as const;

/** The action tools, applied to the conversation and its contact (the ai-reply job's executor). */
export function conversationActionExecutor(orgId: ObjectId, conversation: Pick<ConversationDoc, "_id" | "contactId">): ActionExecutor {
  const db = scoped(orgId);
  return async (name, args) => {
    const now = new Date();
    switch (name) {
      case "add_tags": {
        const tags = [...new Set((args as ToolArgs<"add_tags">).tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
        await db("conversations").updateOne({ _id: conversation._id }, { $addToSet: { tags: { $each: tags } }, $set: { updatedAt: now } });
        await db("contacts").updateOne({ _id: conversation.contactId }, { $addToSet: { tags: { $each: tags } }, $set: { updatedAt: now } });
        return { ok: true, tags };
      }
      case "set_priority": {
        const { priority } = args as ToolArgs<"set_priority">;
        const before = await db("conversations").findOneAndUpdate({ _id: conversation._id }, { $set: { priority, updatedAt: now } }, { returnDocument: "before" });
        if (before && before.priority !== priority) {
          await recordActivity(orgId, aiActor, { action: "conversation.priority_changed", entityType: "conversation", entityId: conversation._id, before: { priority: before.priority }, after: { priority } });
        }
        return { ok: true, priority };
      }
      case "create_ticket": {
        const { subject, summary, priority, category } = args as ToolArgs<"create_ticket">;
        // A retried turn asks again: the conversation's open AI ticket with that subject is the same ticket.
        const existing = await db("tickets").findOne({ conversationId: conversation._id, source: "ai", subject, status: { $nin: ["resolved", "closed"] } }, { projection: { number: 1 } });
        if (existing) return { ok: true, number: existing.number };
        const ticket = await createTicket(orgId, aiActor, { subject, description: summary, priority, category, conversationId: conversation._id.toHexString() }, "ai");
        return { ok: true, number: ticket.number };
      }
      case "update_contact": {
        const patch = Object.fromEntries(Object.entries(args as ToolArgs<"update_contact">).filter(([, v]) => v !== undefined)) as ToolArgs<"update_contact">;
        if (!Object.keys(patch).length) return { ok: false, error: "nothing to update" };
        const contact = await db("contacts").findOne({ _id: conversation.contactId });
        if (!contact) return { ok: false, error: "contact not found" };
        const next = { ...contact, ...patch };
        await db("contacts").updateOne(
          { _id: contact._id },
          { $set: { ...patch, searchTokens: contactSearchTokens(next), updatedAt: now } },
        );
        if (touchesConversations(patch)) await refreshConversationSnapshots(orgId, next, now);
        const before = Object.fromEntries(Object.keys(patch).map((k) => [k, contact[k as keyof typeof patch] ?? null]));
        await recordActivity(orgId, aiActor, { action: "contact.updated", entityType: "contact", entityId: contact._id, before, after: patch });
        return { ok: true, updated: Object.keys(patch) };
      }
    }
  };
}

/**
 * Hands the conversation to the humans: back to `open` and unassigned with the reason, a system
 * message in the thread, then auto-assignment. Idempotent per trigger (the system message key).
 */
export async function handOver(orgId: ObjectId, conversationId: ObjectId, reason: string, triggerKey: string): Promise<boolean> {
  const db = scoped(orgId);
  const now = new Date();
  const conversation = await db("conversations").findOneAndUpdate(
    { _id: conversationId, status: { $in: [...AI_STATUSES] }, assigneeId: null },
    { $set: { status: "open", "ai.handoverReason": reason, updatedAt: now } },
    { returnDocument: "after" },
  );
  if (!conversation) return false;
  await addSystemMessage(orgId, conversation, { text: `AI handed over to a human: ${reason}`, payload: { event: "ai_handover", reason }, key: triggerKey, at: now });
  log.info("ai.handover", { orgId: orgId.toHexString(), conversationId: conversationId.toHexString(), reason });
  await tellCustomer(orgId, conversationId, triggerKey);
  await autoAssign(orgId, conversationId);
  return true;
}

/**
 * The organization's handover message, so the customer knows a person will answer. Best effort:
 * where no free-form message may go (closed window, opted-out contact) or the send fails, the
 * handover stands without it; the idempotency key sends it once per handover.
 */
async function tellCustomer(orgId: ObjectId, conversationId: ObjectId, triggerKey: string) {
  const { handoverMessage } = await getSettings(orgId);
  if (!handoverMessage) return;
  try {
    await sendMessage(orgId, { conversationId, sender: "ai", idempotencyKey: `handover:${triggerKey}`, content: { type: "text", text: handoverMessage } });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    log.info("ai.handover_message_skipped", { orgId: orgId.toHexString(), conversationId: conversationId.toHexString(), reason: err.message });
  }
}
