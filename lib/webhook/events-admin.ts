import { ObjectId, type Filter } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { rawCollection } from "@/lib/db/collections";
import type { WebhookEventDoc } from "@/lib/schemas/webhook-event";

export const webhookOutcomes = ["processed", "unprocessed", "invalid_json", "failed"] as const;
export type WebhookOutcome = (typeof webhookOutcomes)[number];

/**
 * An organization's admins see their organization's envelopes only (orgId is set before an envelope
 * is processed and kept on failure). Envelopes no organization owns (unknown number, invalid JSON)
 * match no organization: they are in the server log. Read unscoped because orgId may be null in
 * this collection; the filter pins it last so no caller's filter can widen it.
 */
function visibleTo(orgId: ObjectId, filter: Filter<WebhookEventDoc> = {}): Filter<WebhookEventDoc> {
  return { ...filter, orgId };
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
  };
}

/** Newest first, by `_id` cursor (`limit + 1` read to know whether there is more). */
export async function listWebhookEvents(orgId: ObjectId, q: { cursor?: string; limit: number; outcome?: WebhookOutcome }) {
  const filter: Filter<WebhookEventDoc> = q.outcome ? { outcome: q.outcome } : {};
  if (q.cursor && ObjectId.isValid(q.cursor)) filter._id = { $lt: new ObjectId(q.cursor) };
  const docs = await rawCollection("webhook_events").find(visibleTo(orgId, filter), { sort: { _id: -1 }, limit: q.limit + 1 }).toArray();
  const rows = docs.slice(0, q.limit).map(toWebhookEventRow);
  return { events: rows, nextCursor: docs.length > q.limit ? rows.at(-1)!.id : null };
}

export async function countWebhookEvents(orgId: ObjectId): Promise<Record<WebhookOutcome, number>> {
  const rows = await rawCollection("webhook_events")
    .aggregate<{ _id: WebhookOutcome; n: number }>([{ $match: visibleTo(orgId) }, { $group: { _id: "$outcome", n: { $sum: 1 } } }])
    .toArray();
  const counts = new Map(rows.map((r) => [r._id, r.n]));
  return Object.fromEntries(webhookOutcomes.map((o) => [o, counts.get(o) ?? 0])) as Record<WebhookOutcome, number>;
}

export async function getWebhookEventOrThrow(orgId: ObjectId, id: ObjectId): Promise<WebhookEventDoc> {
  const event = await rawCollection("webhook_events").findOne(visibleTo(orgId, { _id: id }));
  if (!event) throw new ApiError("not_found", "Webhook event not found");
  return event;
}
