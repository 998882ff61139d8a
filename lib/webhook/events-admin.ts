import { ObjectId, type Filter } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { rawCollection } from "@/lib/db/collections";
import type { WebhookEventDoc } from "@/lib/schemas/webhook-event";

export const webhookOutcomes = ["processed", "unprocessed", "invalid_json", "failed"] as const;
export type WebhookOutcome = (typeof webhookOutcomes)[number];

/**
 * The envelopes an organization's admins see: their own, plus those no organization could be
 * mapped to yet (unknown phone number id, invalid JSON), which are exactly the ones an admin must
 * notice. webhook_events is read unscoped for that reason (orgId may be null).
 */
function visibleTo(orgId: ObjectId): Filter<WebhookEventDoc> {
  return { orgId: { $in: [orgId, null] } };
}

export type WebhookEventRow = {
  id: string;
  receivedAt: string;
  outcome: WebhookOutcome;
  reason: string | null;
  counts: WebhookEventDoc["counts"];
  attempts: number;
  lastProcessedAt: string | null;
  rawBody: string;
  mapped: boolean;
};

export function toWebhookEventRow(e: WebhookEventDoc): WebhookEventRow {
  return {
    id: e._id.toHexString(),
    receivedAt: e.receivedAt.toISOString(),
    outcome: e.outcome,
    reason: e.reason,
    counts: e.counts,
    attempts: e.attempts,
    lastProcessedAt: e.lastProcessedAt?.toISOString() ?? null,
    rawBody: e.rawBody,
    mapped: e.orgId !== null,
  };
}

/** Newest first, by `_id` cursor (`limit + 1` read to know whether there is more). */
export async function listWebhookEvents(orgId: ObjectId, q: { cursor?: string; limit: number; outcome?: WebhookOutcome }) {
  const filter: Filter<WebhookEventDoc> = { ...visibleTo(orgId), ...(q.outcome ? { outcome: q.outcome } : {}) };
  if (q.cursor && ObjectId.isValid(q.cursor)) filter._id = { $lt: new ObjectId(q.cursor) };
  const events = rawCollection("webhook_events");
  const docs = await events.find(filter, { sort: { _id: -1 }, limit: q.limit + 1 }).toArray();
  const rows = docs.slice(0, q.limit).map(toWebhookEventRow);
  return { events: rows, nextCursor: docs.length > q.limit ? rows.at(-1)!.id : null };
}

export async function countWebhookEvents(orgId: ObjectId): Promise<Record<WebhookOutcome, number>> {
  const events = rawCollection("webhook_events");
  const counts = await Promise.all(webhookOutcomes.map((outcome) => events.countDocuments({ ...visibleTo(orgId), outcome })));
  return Object.fromEntries(webhookOutcomes.map((o, i) => [o, counts[i]!])) as Record<WebhookOutcome, number>;
}

export async function getWebhookEventOrThrow(orgId: ObjectId, id: ObjectId): Promise<WebhookEventDoc> {
  const event = await rawCollection("webhook_events").findOne({ ...visibleTo(orgId), _id: id });
  if (!event) throw new ApiError("not_found", "Webhook event not found");
  return event;
}
