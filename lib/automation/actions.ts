import { ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { updateContact } from "@/lib/contacts/contacts";
import { scoped } from "@/lib/db/scoped";
import { autoAssign } from "@/lib/inbox/auto-assign";
import { applyAssignment, assignableUser, changeConversationStatus } from "@/lib/inbox/actions";
import { moveJourneyStage } from "@/lib/journey/journey";
import { sendMessage } from "@/lib/messaging/send-message";
import type { AutomationRunDoc, Step } from "@/lib/schemas/automation";
import { windowOpen, type ConversationDoc } from "@/lib/schemas/conversation";
import { createTicket } from "@/lib/tickets/tickets";
import { replyToConversation } from "@/lib/ai/ai-reply-job";
import { emitEvents } from "@/lib/outbound-webhooks/emit";

/**
 * What each step does. Every effect is idempotent by (run, step path): a job delivered twice, or a
 * step retried after a failure, has the effect of once (a message is sent under the key
 * `automation:<run>:<path>`, tags are a set, a stage move to where the contact is changes nothing).
 * An action that must not run (opted out, window closed, no conversation) is skipped with the reason.
 */

/** `failed`: refused for good (Meta refused the message); the run ends failed without a retry. */
export type StepOutcome = { status: "done" | "skipped" | "failed"; detail: string };

export const automationActor = (run: Pick<AutomationRunDoc, "triggerName">): Actor => ({ id: null, name: `Automation “${run.triggerName}”` });

const skipped = (detail: string): StepOutcome => ({ status: "skipped", detail });
const done = (detail: string): StepOutcome => ({ status: "done", detail });

/** The run's conversation, or else the contact's newest one (a lifecycle event may name none). */
async function conversationOf(orgId: ObjectId, run: AutomationRunDoc): Promise<ConversationDoc | null> {
  const db = scoped(orgId);
  if (run.conversationId) return db("conversations").findOne({ _id: run.conversationId });
  return db("conversations").findOne({ contactId: run.contactId }, { sort: { createdAt: -1 } });
}

export async function runAction(orgId: ObjectId, run: AutomationRunDoc, path: string, step: Exclude<Step, { kind: "wait" | "wait_for_reply" }>): Promise<StepOutcome> {
  const db = scoped(orgId);
  const actor = automationActor(run);
  const now = new Date();
  switch (step.kind) {
    case "send_message": {
      const conversation = await conversationOf(orgId, run);
      if (!conversation) return skipped("No WhatsApp conversation with this contact yet");
      const contact = await db("contacts").findOne({ _id: conversation.contactId }, { projection: { consent: 1 } });
      if (contact?.consent.state === "opted_out") return skipped("The contact has opted out of WhatsApp messages");
      const inWindow = windowOpen(conversation, now);
      let content: Parameters<typeof sendMessage>[1]["content"];
      if (inWindow && step.text) content = { type: "text", text: step.text };
      else if (step.templateId) {
        const t = await db("whatsapp_templates").findOne({ _id: new ObjectId(step.templateId) }, { projection: { name: 1, language: 1, status: 1 } });
        if (!t) return skipped("The template was deleted");
        if (t.status !== "APPROVED") return skipped(`The template “${t.name}” is ${t.status.toLowerCase()}, not approved`);
        content = { type: "template", template: { name: t.name, language: t.language } };
      } else return skipped("The 24-hour window is closed and the step has no template for outside it");
      try {
        const m = await sendMessage(orgId, { conversationId: conversation._id, sender: "system", idempotencyKey: `automation:${run._id.toHexString()}:${path}`, content });
        if (m.status === "failed") return { status: "failed", detail: `WhatsApp refused the message: ${m.error?.title ?? "failed"}${m.error?.code ? ` (${m.error.code})` : ""}` };
        return done(content.type === "text" ? `Sent “${content.text.slice(0, 80)}”` : `Sent the template “${content.template.name}”`);
      } catch (err) {
        // The send service's refusals are rules (consent, window, template), not failures to retry.
        if (err instanceof ApiError && err.code === "unprocessable_entity") return skipped(err.message);
        throw err;
      }
    }
    case "add_tags":
    case "remove_tags": {
      const contact = await db("contacts").findOne({ _id: run.contactId }, { projection: { tags: 1 } });
      if (!contact) return skipped("The contact was deleted");
      const tags = step.kind === "add_tags" ? [...new Set([...contact.tags, ...step.tags])] : contact.tags.filter((t) => !step.tags.includes(t));
      await updateContact(orgId, actor, run.contactId, { tags });
      return done(`${step.kind === "add_tags" ? "Added" : "Removed"} ${step.tags.map((t) => `#${t}`).join(", ")}`);
    }
    case "set_field": {
      const contact = await db("contacts").findOne({ _id: run.contactId }, { projection: { customFields: 1 } });
      if (!contact) return skipped("The contact was deleted");
      await updateContact(orgId, actor, run.contactId, { customFields: { ...contact.customFields, [step.key]: step.value } });
      return done(`Set ${step.key} to “${step.value}”`);
    }
    case "set_stage": {
      const r = await moveJourneyStage(orgId, actor, run.contactId, { stage: step.stage, reason: `Automation “${run.triggerName}”` }, "automation");
      return r.from === r.to ? done(`Already in ${step.stage}`) : done(`Moved from ${r.from ?? "off the board"} to ${step.stage}`);
    }
    case "create_ticket": {
      const conversation = await conversationOf(orgId, run);
      // A retried step finds the ticket it opened (its subject and this run's key in the description).
      const key = `automation:${run._id.toHexString()}:${path}`;
      const existing = await db("tickets").findOne({ contactId: run.contactId, source: "automation", description: { $regex: `${key}$` } }, { projection: { number: 1 } });
      if (existing) return done(`Ticket ${existing.number} (opened earlier)`);
      const ticket = await createTicket(
        orgId,
        actor,
        {
          subject: step.subject,
          description: `Opened by the automation “${run.triggerName}”.\n${key}`,
          priority: step.priority,
          ...(conversation ? { conversationId: conversation._id.toHexString() } : { contactId: run.contactId.toHexString() }),
        },
        "automation",
      );
      return done(`Opened ticket ${ticket.number}`);
    }
    case "call_webhook": {
      // The event id is the step's: a retried step reports the same event, which the fan-out sends once.
      await emitEvents(orgId, [
        {
          id: `evt_auto_${run._id.toHexString()}_${path.replace(/\./g, "_")}`,
          type: "automation.webhook",
          data: {
            label: step.label,
            triggerId: run.triggerId.toHexString(),
            triggerName: run.triggerName,
            runId: run._id.toHexString(),
            contactId: run.contactId.toHexString(),
            conversationId: run.conversationId?.toHexString() ?? null,
            event: run.event,
          },
        },
      ]);
      return done(`Sent “${step.label}” to the subscribed webhook endpoints`);
    }
    case "run_agent": {
      const conversation = await conversationOf(orgId, run);
      if (!conversation) return skipped("No conversation for the AI agent to answer");
      // The reply job's own claim and guardrails apply: a retried step does not answer twice.
      const r = await replyToConversation(orgId, conversation._id, `automation:${run._id.toHexString()}:${path}`);
      if (r.outcome === "skipped") return skipped(`The AI agent did not answer: ${r.reason}`);
      if (r.outcome === "handover") return done(`The AI agent handed over to a person: ${r.reason}`);
      return done(`The AI agent ${r.outcome === "asked" ? "asked a question" : "answered"} (confidence ${r.confidence.toFixed(2)})`);
    }
    case "assign":
    case "set_priority":
    case "set_status":
      return conversationAction(orgId, run, path, step, actor);
  }
}

async function conversationAction(orgId: ObjectId, run: AutomationRunDoc, path: string, step: Extract<Step, { kind: "assign" | "set_priority" | "set_status" }>, actor: Actor): Promise<StepOutcome> {
  const db = scoped(orgId);
  const conversation = await conversationOf(orgId, run);
  if (!conversation) return skipped("No conversation with this contact");
  const now = new Date();
  if (step.kind === "set_priority") {
    if (conversation.priority === step.priority) return done(`Priority already ${step.priority}`);
    await db("conversations").updateOne({ _id: conversation._id }, { $set: { priority: step.priority, updatedAt: now } });
    await recordActivity(orgId, actor, { action: "conversation.priority_changed", entityType: "conversation", entityId: conversation._id, before: { priority: conversation.priority }, after: { priority: step.priority } });
    return done(`Priority set to ${step.priority}`);
  }
  // The inbox's own mechanisms (thread line, audit, AI reset and analysis on resolve, outbound events), acting as the automation.
  const by = { id: null, name: actor.name };
  const refused = (err: unknown) => {
    if (err instanceof ApiError && (err.code === "conflict" || err.code === "unprocessable_entity")) return skipped(err.message);
    throw err;
  };
  if (step.kind === "assign") {
    if (step.userId === null) {
      const r = await autoAssign(orgId, conversation._id);
      return r.assigned ? done("Assigned by round robin") : skipped(`Round robin did not assign (${r.reason.replace(/_/g, " ")})`);
    }
    const userId = new ObjectId(step.userId);
    if (conversation.assigneeId?.equals(userId)) return done("Already assigned to them");
    if (conversation.status === "resolved" || conversation.status === "closed") return skipped(`The conversation is ${conversation.status}`);
    try {
      const user = await assignableUser(orgId, userId);
      await applyAssignment(orgId, by, actor, conversation, user);
      return done(`Assigned to ${user.name}`);
    } catch (err) {
      return refused(err);
    }
  }
  // set_status
  const target: ConversationDoc["status"] = step.status === "open" ? (conversation.assigneeId ? "assigned" : "open") : step.status;
  if (conversation.status === target) return done(`Already ${step.status}`);
  // A closed conversation is history: reopening it is a person's decision.
  if (conversation.status === "closed") return skipped("The conversation is closed");
  try {
    await changeConversationStatus(orgId, by, actor, conversation, { status: step.status });
    return done(`Status set to ${step.status}`);
  } catch (err) {
    return refused(err);
  }
}
