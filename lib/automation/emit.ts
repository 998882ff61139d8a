import { AsyncLocalStorage } from "node:async_hooks";
import type { ObjectId } from "mongodb";
import { enqueue } from "@/lib/jobs/enqueue";
import { log } from "@/lib/log";
import type { AutomationEvent, LifecycleEvent } from "@/lib/schemas/automation";

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
