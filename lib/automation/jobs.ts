import { DateTime } from "luxon";
import { ObjectId } from "mongodb";
import { z } from "zod";
import { isWithinBusinessHours } from "@/lib/ai/business-hours";
import { scoped } from "@/lib/db/scoped";
import { defineJob } from "@/lib/jobs/define-job";
import { automationEvent, eventOrigin } from "@/lib/schemas/automation";
import { idString } from "@/lib/schemas/common";
import { getSettings } from "@/lib/settings/settings";
import { factsDoc, type EventFacts } from "./conditions";
import { eventKey, scheduleAutomationEvent } from "./emit";
import { matchTriggers } from "./evaluate";
import { advance, claimPeriod, resume, resumeOnReply, startRun } from "./runner";
import { activeTriggers } from "./triggers";

const RETRIES = 3;

/**
 * `automation-event`: one event against the organization's active triggers. A customer message
 * first resumes their runs waiting for a reply, and schedules the inactivity checks of time-based
 * triggers; then every trigger whose `when` and conditions match starts a run, in priority order.
 */
export const automationEventJob = defineJob({
  name: "automation-event",
  schema: z.object({ orgId: idString, event: automationEvent, origin: eventOrigin.default(null) }),
  retries: RETRIES,
  concurrency: 4,
  async handle(p, ctx) {
    const orgId = new ObjectId(p.orgId);
    const db = scoped(orgId);
    const final = ctx.attempt > RETRIES;
    let event = p.event;
    const contactId = new ObjectId(event.contactId);
    const resumed = event.kind === "message" ? await resumeOnReply(orgId, contactId) : [];
    for (const id of resumed) await advance(orgId, id, { final });

    const triggers = await activeTriggers(orgId);
    if (triggers.length === 0) return { matched: 0, resumed: resumed.length };
    const conversationId = event.conversationId ? new ObjectId(event.conversationId) : null;
    const [contact, conversation, settings, message] = await Promise.all([
      db("contacts").findOne({ _id: contactId }),
      conversationId ? db("conversations").findOne({ _id: conversationId }, { projection: { status: 1, priority: 1, lastCustomerMessageAt: 1 } }) : null,
      getSettings(orgId),
      event.kind === "message" && event.text === null ? db("messages").findOne({ _id: new ObjectId(event.messageId) }, { projection: { text: 1 } }) : null,
    ]);
    if (!contact || contact.erasedAt) return { matched: 0, skipped: "contact gone" };
    if (event.kind === "message" && message) event = { ...event, text: message.text ?? null };
    if (event.kind === "message") {
      // messages_in_period: the customer's messages in each listened-for period, counted once per period length.
      const periods = new Set(triggers.flatMap((t) => (t.trigger.when.type === "behavior" && t.trigger.when.event === "messages_in_period" ? [t.trigger.when.periodHours ?? 24] : [])));
      if (periods.size) {
        const at = new Date(event.at);
        const messageId = new ObjectId(event.messageId);
        const recent: Record<string, number> = {};
        for (const h of periods) {
          // Up to and including this message: WhatsApp times are whole seconds, so within its second the
          // stored order (the id) decides, and a burst of four still has exactly one third message.
          recent[String(h)] = await db("messages").countDocuments({
            contactId,
            sender: "customer",
            $or: [{ sentAt: { $gt: new Date(at.getTime() - h * 3600_000), $lt: at } }, { sentAt: at, _id: { $lte: messageId } }],
          });
        }
        event = { ...event, recent };
      }
    }

    if (event.kind === "inactivity") {
      // The customer wrote again since: that message scheduled its own check.
      const last = conversation?.lastCustomerMessageAt;
      if (!last || last.getTime() > new Date(event.since).getTime() + 999) return { matched: 0, skipped: "customer wrote again" };
    }
    if (event.kind === "message" && conversationId) {
      for (const t of triggers) {
        const when = t.trigger.when;
        if (when.type !== "time_based" || !when.inactivityMinutes) continue;
        await scheduleAutomationEvent(
          orgId,
          { kind: "inactivity", triggerId: t.trigger._id.toHexString(), contactId: event.contactId, conversationId: conversationId.toHexString(), since: event.at, at: event.at },
          { delaySeconds: when.inactivityMinutes * 60 },
        );
      }
    }

    const facts: EventFacts = {
      conversation: conversation ? { status: conversation.status, priority: conversation.priority } : null,
      message: event.kind === "message" ? { text: event.text } : null,
      ai: event.kind === "analysis" ? { intents: event.intents, sentiment: event.sentiment } : null,
      businessHours: isWithinBusinessHours(settings.businessHours),
    };
    const matched = matchTriggers(triggers, event, factsDoc(contact, facts), p.origin?.triggerId ?? null);
    const day = DateTime.now().setZone(settings.businessHours.timezone).toISODate() ?? new Date().toISOString().slice(0, 10);
    let started = 0;
    for (const m of matched) {
      const w = m.trigger.when;
      if (w.type === "behavior" && w.event === "messages_in_period" && !(await claimPeriod(orgId, m.trigger._id, contactId, w.periodHours ?? 24, eventKey(event)))) continue;
      const run = await startRun(orgId, m.trigger, event, eventKey(event), day);
      if (!run) continue;
      started++;
      if (run.status === "running") await advance(orgId, run._id, { final });
    }
    return { matched: matched.length, started, resumed: resumed.length };
  },
});

/** `automation-resume`: a wait's delay or a wait-for-reply's timeout came due. */
export const automationResumeJob = defineJob({
  name: "automation-resume",
  schema: z.object({ orgId: idString, runId: idString, path: z.string().max(60), outcome: z.enum(["delay", "timeout"]) }),
  retries: RETRIES,
  concurrency: 4,
  async handle(p, ctx) {
    const orgId = new ObjectId(p.orgId);
    const runId = new ObjectId(p.runId);
    const moved = await resume(orgId, runId, p.path, p.outcome);
    // Not moved: the reply came first, or this is a redelivery after the run went on. Either way,
    // a run left `running` by a crash mid-step continues from its cursor.
    const run = await advance(orgId, runId, { final: ctx.attempt > RETRIES });
    return { moved, status: run?.status ?? "gone" };
  },
});
