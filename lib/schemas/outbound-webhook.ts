import { z } from "zod";
import { idString, objectId, tenantFields } from "./common";

/** Every event an endpoint can subscribe to (docs/webhooks-outbound.md describes each payload). */
export const outboundEventTypes = [
  "message.received",
  "message.status",
  "conversation.created",
  "conversation.assigned",
  "conversation.resolved",
  "contact.created",
  "contact.updated",
  "contact.consent_changed",
  "campaign.finished",
  "ticket.created",
  "ticket.updated",
  "automation.webhook",
] as const;
export const outboundEventType = z.enum(outboundEventTypes);
export type OutboundEventType = z.infer<typeof outboundEventType>;
/** The test ping an admin sends from the settings page: delivered to one endpoint, whatever it subscribes to. */
export const TEST_EVENT = "webhook.test";
export const deliveredEventType = z.union([outboundEventType, z.literal(TEST_EVENT)]);

/** JSON the event's `data` carries: ids as strings, dates as ISO strings (built by the emitters). */
export const eventData = z.record(z.string(), z.unknown());

/**
 * One event as the fan-out job receives it. `id` becomes the `webhook-id` header: the same on every
 * attempt and replay, so receivers deduplicate by it; events of a redelivered WhatsApp webhook get
 * the same id (derived from the message), so they dedupe here too.
 */
export const outboundEvent = z.object({
  id: z.string().regex(/^evt_[A-Za-z0-9_-]{1,100}$/),
  type: outboundEventType,
  occurredAt: z.iso.datetime(),
  data: eventData,
});
export type OutboundEvent = z.infer<typeof outboundEvent>;

/** One try of a delivery, as the log shows it. */
export const deliveryAttempt = z.object({
  attempt: z.number().int(),
  at: z.date(),
  durationMs: z.number(),
  /** The HTTP status, or null when no response came (timeout, refused connection, redirect refused). */
  responseStatus: z.number().int().nullable(),
  /** The first bytes of the response body. */
  responseBody: z.string().nullable(),
  error: z.string().nullable(),
});
export type DeliveryAttempt = z.infer<typeof deliveryAttempt>;

/**
 * One event for one endpoint (a replay is a delivery of its own with the same event id). `key` is
 * unique per endpoint: the event id for the first delivery, so a fan-out that runs twice creates
 * one delivery; `<event id>:replay:<id>` for a replay. `body` is the exact JSON posted on every
 * attempt (the signature covers it byte for byte).
 */
export const webhookDeliveryDoc = z.object({
  ...tenantFields,
  endpointId: objectId,
  key: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  body: z.string(),
  replayOf: objectId.nullable(),
  status: z.enum(["pending", "succeeded", "failed"]),
  attempts: z.array(deliveryAttempt),
  nextAttemptAt: z.date().nullable(),
});
export type WebhookDeliveryDoc = z.infer<typeof webhookDeliveryDoc>;

const url = z.string().trim().max(2000, "must be at most 2,000 characters").pipe(z.url("must be a URL"));
const events = z.array(outboundEventType).min(1, "choose at least one event").max(outboundEventTypes.length);
const description = z.string().trim().max(200, "must be at most 200 characters");

export const createWebhookEndpointBody = z.strictObject({ url, events, description: description.default("") });
export const updateWebhookEndpointBody = z
  .strictObject({ url: url.optional(), events: events.optional(), description: description.optional(), active: z.literal(true).optional() })
  .refine((b) => Object.keys(b).length > 0, "Nothing to update");
export type CreateWebhookEndpointBody = z.infer<typeof createWebhookEndpointBody>;
export type UpdateWebhookEndpointBody = z.infer<typeof updateWebhookEndpointBody>;

export const listDeliveriesQuery = z.object({
  cursor: idString.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

/** The API shape of an endpoint. The secret is shown to admins (they need it to verify), never logged. */
export const webhookEndpoint = z.object({
  id: idString,
  url: z.string(),
  description: z.string(),
  secret: z.string(),
  events: z.array(z.string()),
  active: z.boolean(),
  disabledReason: z.string().nullable(),
  disabledAt: z.string().nullable(),
  consecutiveFailures: z.number().int(),
  lastSuccessAt: z.string().nullable(),
  lastFailureAt: z.string().nullable(),
  createdAt: z.string(),
});
export type WebhookEndpoint = z.infer<typeof webhookEndpoint>;

export const webhookDelivery = z.object({
  id: idString,
  endpointId: idString,
  eventId: z.string(),
  eventType: z.string(),
  body: z.string(),
  replayOf: idString.nullable(),
  status: z.enum(["pending", "succeeded", "failed"]),
  attempts: z.array(deliveryAttempt.extend({ at: z.string() })),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
});
export type WebhookDelivery = z.infer<typeof webhookDelivery>;
