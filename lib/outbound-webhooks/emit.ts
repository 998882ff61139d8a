import { createHash } from "node:crypto";
import { ObjectId } from "mongodb";
import { enqueue } from "@/lib/jobs/enqueue";
import { log } from "@/lib/log";
import type { OutboundEvent, OutboundEventType } from "@/lib/schemas/outbound-webhook";

export type EventInput = {
  type: OutboundEventType;
  data: Record<string, unknown>;
  /** A stable id (`evt_...`) when the same fact can be reported twice (a redelivered WhatsApp webhook); default: a fresh one. */
  id?: string;
  occurredAt?: Date;
};

/**
 * THE way a domain module tells subscribers what happened: one `webhook-fanout` job for the whole
 * list, and no database operation here, so the WhatsApp webhook path pays one publish whatever
 * the number of events or endpoints. The job finds the subscribed endpoints and enqueues one
 * delivery per endpoint. It never throws: a subscriber's webhook must not fail the CRM's own
 * action, which has already happened; a failed publish is logged (`outbound_webhook.emit_failed`).
 */
export async function emitEvents(orgId: ObjectId, inputs: EventInput[]): Promise<void> {
  if (inputs.length === 0) return;
  const events: OutboundEvent[] = inputs.map((e) => ({
    id: e.id ?? `evt_${new ObjectId().toHexString()}`,
    type: e.type,
    occurredAt: (e.occurredAt ?? new Date()).toISOString(),
    data: e.data,
  }));
  const org = orgId.toHexString();
  // The same events published twice (a redelivered webhook) fan out once.
  const digest = createHash("sha256").update(events.map((e) => e.id).join(",")).digest("hex").slice(0, 32);
  try {
    await enqueue("webhook-fanout", { orgId: org, events }, { deduplicationId: `webhook-fanout-${org}-${digest}` });
  } catch (err) {
    log.error("outbound_webhook.emit_failed", { orgId: org, types: [...new Set(events.map((e) => e.type))], err });
  }
}

export function emitEvent(orgId: ObjectId, type: OutboundEventType, data: Record<string, unknown>, options: Pick<EventInput, "id" | "occurredAt"> = {}): Promise<void> {
  return emitEvents(orgId, [{ type, data, ...options }]);
}
