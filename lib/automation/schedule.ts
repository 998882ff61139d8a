import { CronExpressionParser } from "cron-parser";
import { ObjectId } from "mongodb";
import { z } from "zod";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { defineJob } from "@/lib/jobs/define-job";
import { enqueue } from "@/lib/jobs/enqueue";
import { idString } from "@/lib/schemas/common";
import type { AutomationEvent, TriggerDoc, TriggerWhen } from "@/lib/schemas/automation";
import { getSettings } from "@/lib/settings/settings";
import { DateTime } from "luxon";
import { asSegmentQuery } from "@/lib/contacts/segments/run";
import { compileConditions, segmentIdsOf } from "./conditions";
import { eventKey } from "./emit";
import { advance, startRun } from "./runner";
import { loadSegments } from "./triggers";

/**
 * Scheduled triggers (`time_based` with a cron): the minute tick claims each trigger whose
 * `nextRunAt` has come (moving it to the next moment in the same write, so two ticks cannot both
 * fire it), and an `automation-schedule` job walks the contacts matching its conditions in pages,
 * starting one run each (the run's event key holds the moment, so a redelivered page adds none).
 */

const PAGE = 200;

/** The schedule's next moment after `after`, in the organization's time zone; throws on a bad expression. */
export function nextOccurrence(cron: string, timeZone: string, after = new Date()): Date {
  return CronExpressionParser.parse(cron, { tz: timeZone, currentDate: after }).next().toDate();
}

/** Null when the expression does not parse, else the reason. */
export function cronProblem(cron: string): string | null {
  if (cron.trim().split(/\s+/).length !== 5) return "a schedule has five fields: minute, hour, day of month, month, weekday";
  try {
    nextOccurrence(cron, "UTC");
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** What a trigger's `nextRunAt` should be now (null unless it is an active schedule). */
export async function nextRunFor(orgId: ObjectId, when: TriggerWhen, active: boolean): Promise<Date | null> {
  if (!active || when.type !== "time_based" || !when.cron) return null;
  const tz = (await getSettings(orgId)).businessHours.timezone;
  return nextOccurrence(when.cron, tz);
}

/** `automations-tick` (every minute): fires the schedules that are due, per organization. */
export const automationsTickJob = defineJob({
  name: "automations-tick",
  schema: z.object({}),
  retries: 2,
  async handle() {
    const now = new Date();
    let fired = 0;
    for await (const org of rawCollection("organizations").find({}, { projection: { _id: 1 }, sort: { _id: 1 } })) {
      const triggers = scoped(org._id)("triggers");
      const due = await triggers.find({ active: true, nextRunAt: { $lte: now } }, { projection: { when: 1, nextRunAt: 1 }, limit: 50 }).toArray();
      if (due.length === 0) continue;
      const tz = (await getSettings(org._id)).businessHours.timezone;
      for (const t of due) {
        if (t.when.type !== "time_based" || !t.when.cron || !t.nextRunAt) continue;
        const firedAt = t.nextRunAt;
        // The claim: only the tick that moves nextRunAt on fires this moment.
        const claimed = await triggers.updateOne({ _id: t._id, nextRunAt: firedAt }, { $set: { nextRunAt: nextOccurrence(t.when.cron, tz, now) } });
        if (claimed.modifiedCount === 0) continue;
        await enqueue(
          "automation-schedule",
          { orgId: org._id.toHexString(), triggerId: t._id.toHexString(), firedAt: firedAt.toISOString(), after: null },
          { deduplicationId: `automation-schedule-${t._id.toHexString()}-${firedAt.getTime()}-start` },
        );
        fired++;
      }
    }
    return { fired };
  },
});

/** `automation-schedule`: one page of a scheduled trigger's contacts, then the next page as its own job. */
export const automationScheduleJob = defineJob({
  name: "automation-schedule",
  schema: z.object({ orgId: idString, triggerId: idString, firedAt: z.iso.datetime(), after: idString.nullable() }),
  retries: 3,
  concurrency: 2,
  async handle(p, ctx) {
    const orgId = new ObjectId(p.orgId);
    const db = scoped(orgId);
    const trigger = (await db("triggers").findOne({ _id: new ObjectId(p.triggerId) })) as TriggerDoc | null;
    if (!trigger || !trigger.active) return { skipped: "disabled or deleted" };
    const filter = compileConditions(trigger.conditions, await loadSegments(orgId, segmentIdsOf(trigger.conditions)));
    // The conditions are whatever a person composed: a segment query (lib/contacts/segments/run.ts).
    const page = await asSegmentQuery(() =>
      db("contacts")
        .find({ $and: [filter, { erasedAt: null }, ...(p.after ? [{ _id: { $gt: new ObjectId(p.after) } }] : [])] }, { sort: { _id: 1 }, limit: PAGE, projection: { _id: 1 } })
        .toArray(),
    );
    const settings = await getSettings(orgId);
    const day = DateTime.fromISO(p.firedAt).setZone(settings.businessHours.timezone).toISODate() ?? p.firedAt.slice(0, 10);
    let started = 0;
    for (const c of page) {
      const event: AutomationEvent = { kind: "schedule", triggerId: p.triggerId, contactId: c._id.toHexString(), conversationId: null, firedAt: p.firedAt, at: p.firedAt };
      const run = await startRun(orgId, trigger, event, eventKey(event), day);
      if (!run) continue;
      started++;
      if (run.status === "running") await advance(orgId, run._id, { final: ctx.attempt > 3 });
    }
    if (page.length === PAGE) {
      const last = page.at(-1)!._id.toHexString();
      await enqueue("automation-schedule", { ...p, after: last }, { deduplicationId: `automation-schedule-${p.triggerId}-${Date.parse(p.firedAt)}-${last}` });
    }
    return { contacts: page.length, started };
  },
});
