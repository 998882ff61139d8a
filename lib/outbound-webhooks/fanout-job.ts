import { ObjectId } from "mongodb";
import { z } from "zod";
import { scoped } from "@/lib/db/scoped";
import { defineJob } from "@/lib/jobs/define-job";
import { enqueueBatch } from "@/lib/jobs/enqueue";
import { idString } from "@/lib/schemas/common";
import { outboundEvent, type WebhookDeliveryDoc } from "@/lib/schemas/outbound-webhook";
import { derivedId } from "@/lib/webhook/accounts";
import { insertNew } from "@/lib/webhook/insert-new";
import { deliverOptions } from "./deliver-options";

/** The body every endpoint receives: the Standard Webhooks payload shape (`type`, `timestamp`, `data`). */
export function eventBody(e: { type: string; occurredAt: string; data: Record<string, unknown> }): string {
  return JSON.stringify({ type: e.type, timestamp: e.occurredAt, data: e.data });
}

/**
 * From emitted events to deliveries: reads the organization's active endpoints once, creates one
 * delivery per (subscribed endpoint, event) with an id derived from both, so a fan-out delivered
 * twice creates and enqueues nothing twice, and enqueues their first attempts in one batch.
 */
export const webhookFanoutJob = defineJob({
  name: "webhook-fanout",
  schema: z.object({ orgId: idString, events: z.array(outboundEvent).min(1).max(5000) }),
  retries: 5,
  concurrency: 4,
  async handle({ orgId, events }) {
    const oid = new ObjectId(orgId);
    const db = scoped(oid);
    const endpoints = await db("webhook_endpoints").find({ active: true }, { projection: { _id: 1, events: 1 } }).toArray();
    if (endpoints.length === 0) return { deliveries: 0 };
    const now = new Date();
    const docs: Omit<WebhookDeliveryDoc, "orgId">[] = [];
    for (const e of events) {
      for (const ep of endpoints) {
        if (!ep.events.includes(e.type)) continue;
        docs.push({
          _id: derivedId(oid, `webhook-delivery:${ep._id.toHexString()}:${e.id}`),
          endpointId: ep._id,
          key: e.id,
          eventId: e.id,
          eventType: e.type,
          body: eventBody(e),
          replayOf: null,
          status: "pending",
          attempts: [],
          nextAttemptAt: now,
          createdAt: now,
          updatedAt: now,
        });
      }
    }
    if (docs.length === 0) return { deliveries: 0 };
    // Already stored ones (a redelivered fan-out) are enqueued again under the same deduplication id: dropped if the first enqueue happened.
    await insertNew(db("webhook_deliveries"), docs);
    await enqueueBatch(docs.map((d) => ({ job: "webhook-deliver" as const, payload: { orgId, deliveryId: d._id.toHexString(), attempt: 1 }, options: deliverOptions(d.endpointId, d._id, 1) })));
    return { deliveries: docs.length };
  },
});
