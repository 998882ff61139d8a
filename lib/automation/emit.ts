import { AsyncLocalStorage } from "node:async_hooks";
import type { ObjectId } from "mongodb";
import { enqueue } from "@/lib/jobs/enqueue";
import { log } from "@/lib/log";
import { scoped } from "@/lib/db/scoped";
import type { AutomationEvent, BehaviorEvent, LifecycleEvent } from "@/lib/schemas/automation";

/**
 * How the rest of the product tells automation that something happened: ONE job publish per
 * event (no database operation where it happens, e.g. the webhook path), evaluated by the
 * `automation-event` job. An event caused by an automation's own action carries that trigger, so
 * the trigger cannot fire itself in a loop.
 */

type Origin = { triggerId: string; runId: string };
const origin = new AsyncLocalStorage<Origin>();

/** Runs an automation step: events its writes emit know which trigger caused them. */
export function asAutomation<T>(o: Origin, fn: () => Promise<T>): Promise<T> {
  return origin.run(o, fn);
}

/**
 * The event's own id: the job's deduplication id (a webhook retried by Meta emits it again) and,
 * with the trigger, the run's unique key (a redelivered event finds its run).
 */
export function eventKey(e: AutomationEvent): string {
  switch (e.kind) {
    case "message":
      return `message-${e.messageId}`;
    case "analysis":
      return `analysis-${e.conversationId}-${e.at}`;
    case "inactivity":
      return `inactivity-${e.triggerId}-${e.conversationId}-${e.since}`;
    case "schedule":
      return `schedule-${e.triggerId}-${e.contactId}-${e.firedAt}`;
    case "behavior":
      return `${e.event}-${e.contactId}-${e.campaignId ?? "none"}`;
    case "lifecycle":
      return `${e.event}-${e.contactId}-${e.at}`;
  }
}

/** Publishes the event's job; throws when the queue refuses (the webhook path lets Meta retry). */
export async function scheduleAutomationEvent(orgId: ObjectId, event: AutomationEvent, options: { delaySeconds?: number } = {}): Promise<void> {
  const org = orgId.toHexString();
  await enqueue(
    "automation-event",
    { orgId: org, event, origin: origin.getStore() ?? null },
    { deduplicationId: `automation-${org}-${eventKey(event)}`, ...(options.delaySeconds ? { delaySeconds: options.delaySeconds } : {}) },
  );
}

/** For events after a change a person made: the change stands even if the queue refused the event. */
export async function emitAutomationEvent(orgId: ObjectId, event: AutomationEvent): Promise<void> {
  try {
    await scheduleAutomationEvent(orgId, event);
  } catch (err) {
    const org = orgId.toHexString();
    // The change that happened stands; a lost automation event is logged, not turned into a failed request.
    log.error("automation.emit_failed", { orgId: org, kind: event.kind, error: String(err) });
  }
}

/**
 * Whether an organization has an active behavior trigger, cached for a minute per instance:
 * campaign statuses come by the hundred thousand, and with no trigger listening they publish nothing.
 */
const listening = new Map<string, { value: boolean; until: number }>();
async function hasBehaviorTriggers(orgId: ObjectId): Promise<boolean> {
  const key = orgId.toHexString();
  const hit = listening.get(key);
  if (hit && hit.until > Date.now()) return hit.value;
  const value = !!(await scoped(orgId)("triggers").findOne({ active: true, type: "behavior" }, { projection: { _id: 1 } }));
  listening.set(key, { value, until: Date.now() + 60_000 });
  return value;
}
/** A trigger was saved or switched: this instance listens again at once (others within the minute). */
export function forgetBehaviorListeners(orgId: ObjectId) {
  listening.delete(orgId.toHexString());
}

/** A campaign's delivery, read, click or reply for a contact (lib/campaigns/outcomes.ts). */
export async function emitBehavior(orgId: ObjectId, event: Exclude<BehaviorEvent, "messages_in_period">, contactId: ObjectId, campaignId: ObjectId, at: Date): Promise<void> {
  if (!(await hasBehaviorTriggers(orgId))) return;
  await emitAutomationEvent(orgId, { kind: "behavior", event, contactId: contactId.toHexString(), conversationId: null, campaignId: campaignId.toHexString(), at: at.toISOString() });
}

/** A lifecycle event of a contact (created, resolved, stage changed, consent, score crossed). */
export function emitLifecycle(
  orgId: ObjectId,
  event: LifecycleEvent,
  ids: { contactId: ObjectId; conversationId?: ObjectId | null },
  data: Record<string, string | number | null> = {},
  at = new Date(),
): Promise<void> {
  return emitAutomationEvent(orgId, {
    kind: "lifecycle",
    event,
    contactId: ids.contactId.toHexString(),
    conversationId: ids.conversationId?.toHexString() ?? null,
    data,
    at: at.toISOString(),
  });
}
