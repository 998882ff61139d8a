import { ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import { enqueue } from "@/lib/jobs/enqueue";
import { TEST_EVENT, type WebhookDelivery, type WebhookDeliveryDoc } from "@/lib/schemas/outbound-webhook";
import type { WebhookEndpointDoc } from "@/lib/schemas/platform";
import { deliverOptions } from "./deliver-options";
import { eventBody } from "./fanout-job";

export function toWebhookDelivery(d: WebhookDeliveryDoc): WebhookDelivery {
  return {
    id: d._id.toHexString(),
    endpointId: d.endpointId.toHexString(),
    eventId: d.eventId,
    eventType: d.eventType,
    body: d.body,
    replayOf: d.replayOf?.toHexString() ?? null,
    status: d.status,
    attempts: d.attempts.map((a) => ({ ...a, at: a.at.toISOString() })),
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
  };
}

/** An endpoint's log, newest first, in `_id` keyset pages (`limit + 1` tells whether more remain). */
export async function listDeliveries(orgId: ObjectId, endpointId: ObjectId, q: { cursor?: string; limit: number }): Promise<{ deliveries: WebhookDeliveryDoc[]; nextCursor: string | null }> {
  const filter = { endpointId, ...(q.cursor ? { _id: { $lt: new ObjectId(q.cursor) } } : {}) };
  const rows = await scoped(orgId)("webhook_deliveries").find(filter, { sort: { _id: -1 }, limit: q.limit + 1 }).toArray();
  const page = rows.slice(0, q.limit);
  return { deliveries: page, nextCursor: rows.length > q.limit ? page[page.length - 1]!._id.toHexString() : null };
}

export async function getDeliveryOrThrow(orgId: ObjectId, endpointId: ObjectId, id: ObjectId): Promise<WebhookDeliveryDoc> {
  const delivery = await scoped(orgId)("webhook_deliveries").findOne({ _id: id, endpointId });
  if (!delivery) throw new ApiError("not_found", "Delivery not found");
  return delivery;
}

/** Stores a new delivery to one endpoint and enqueues its first attempt. */
async function startDelivery(orgId: ObjectId, endpoint: WebhookEndpointDoc, d: Pick<WebhookDeliveryDoc, "key" | "eventId" | "eventType" | "body" | "replayOf">): Promise<WebhookDeliveryDoc> {
  if (!endpoint.active) throw new ApiError("conflict", "The endpoint is disabled; enable it first");
  const now = new Date();
  const doc = { _id: new ObjectId(), endpointId: endpoint._id, ...d, status: "pending" as const, attempts: [], nextAttemptAt: now, createdAt: now, updatedAt: now };
  await scoped(orgId)("webhook_deliveries").insertOne(doc);
  await enqueue("webhook-deliver", { orgId: orgId.toHexString(), deliveryId: doc._id.toHexString(), attempt: 1 }, deliverOptions(endpoint._id, doc._id, 1));
  return { ...doc, orgId };
}

/** The settings page's test ping: a `webhook.test` event to this endpoint only. */
export function sendTestPing(orgId: ObjectId, endpoint: WebhookEndpointDoc): Promise<WebhookDeliveryDoc> {
  const eventId = `evt_${new ObjectId().toHexString()}`;
  const body = eventBody({ type: TEST_EVENT, occurredAt: new Date().toISOString(), data: { endpointId: endpoint._id.toHexString(), message: "Test ping from the CRM" } });
  return startDelivery(orgId, endpoint, { key: eventId, eventId, eventType: TEST_EVENT, body, replayOf: null });
}

/**
 * Sends a delivery again as a new delivery with its own log entry: the same body and the same
 * `webhook-id` (it is the same event, so a receiver that already processed it can tell), signed anew.
 */
export function replayDelivery(orgId: ObjectId, endpoint: WebhookEndpointDoc, original: WebhookDeliveryDoc): Promise<WebhookDeliveryDoc> {
  const id = new ObjectId();
  return startDelivery(orgId, endpoint, { key: `${original.eventId}:replay:${id.toHexString()}`, eventId: original.eventId, eventType: original.eventType, body: original.body, replayOf: original._id });
}
