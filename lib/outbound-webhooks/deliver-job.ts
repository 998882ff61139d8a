import { ObjectId } from "mongodb";
import { z } from "zod";
import { scoped } from "@/lib/db/scoped";
import { defineJob } from "@/lib/jobs/define-job";
import { log } from "@/lib/log";
import { idString } from "@/lib/schemas/common";
import type { DeliveryAttempt } from "@/lib/schemas/outbound-webhook";
import { deliverOptions } from "./deliver-options";
import { postSigned } from "./post";

/**
 * Seconds before attempt n+1 after attempt n failed (index n-1): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
 * 10 h; eight attempts over about 27.5 hours, the schedule the Standard Webhooks reference
 * implementation (Svix) documents.
 */
export const RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 36000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;
/** Failed attempts in a row, across all of an endpoint's deliveries, after which it is switched off. */
export const AUTO_DISABLE_AFTER_FAILURES = 10;

/**
 * One attempt of one delivery. The retry schedule is the job's own, not the job system's: a failed
 * attempt is recorded and the next one enqueued with its delay, so each try is visible in the log
 * and the backoff reaches hours (QStash's and the in-process driver's own retries, for a database
 * failure of this handler, are seconds to minutes). A repeated delivery of the same job finds its
 * attempt recorded and does nothing.
 */
export const webhookDeliverJob = defineJob({
  name: "webhook-deliver",
  schema: z.object({ orgId: idString, deliveryId: idString, attempt: z.number().int().min(1).max(MAX_ATTEMPTS) }),
  retries: 3,
  concurrency: 4,
  async handle({ orgId, deliveryId, attempt }, ctx) {
    const oid = new ObjectId(orgId);
    const db = scoped(oid);
    const delivery = await db("webhook_deliveries").findOne({ _id: new ObjectId(deliveryId) });
    if (!delivery) return { skipped: "delivery gone" };
    if (delivery.status !== "pending" || delivery.attempts.some((a) => a.attempt >= attempt)) return { skipped: "attempt already made" };
    const endpoint = await db("webhook_endpoints").findOne({ _id: delivery.endpointId });
    if (!endpoint || !endpoint.active) {
      const reason = endpoint ? "Endpoint disabled" : "Endpoint deleted";
      await db("webhook_deliveries").updateOne({ _id: delivery._id, status: "pending" }, { $set: { status: "failed", nextAttemptAt: null, updatedAt: new Date() } });
      return { skipped: reason };
    }
    const result = await postSigned(endpoint, delivery.eventId, delivery.body, attempt);
    const ok = result.error === null;
    const retry = !ok && attempt < MAX_ATTEMPTS;
    const delay = retry ? RETRY_DELAYS_SECONDS[attempt - 1]! : 0;
    const now = new Date();
    await db("webhook_deliveries").updateOne(
      { _id: delivery._id },
      {
        $push: { attempts: result },
        $set: { status: ok ? "succeeded" : retry ? "pending" : "failed", nextAttemptAt: retry ? new Date(now.getTime() + delay * 1000) : null, updatedAt: now },
      },
    );
    const disabled = await recordOutcome(oid, endpoint._id, result);
    // Switched off by this failure: no further attempt (re-enabling and a replay send it again).
    if (retry && disabled) await db("webhook_deliveries").updateOne({ _id: delivery._id }, { $set: { status: "failed", nextAttemptAt: null } });
    if (retry && !disabled) await ctx.enqueue("webhook-deliver", { orgId, deliveryId, attempt: attempt + 1 }, deliverOptions(endpoint._id, delivery._id, attempt + 1, delay));
    return { ok, status: result.responseStatus, attempt, disabled };
  },
});

/**
 * Moves the endpoint's failure streak: a success resets it; a failure adds one, and the failure
 * that reaches the limit switches the endpoint off with its reason (compare-and-set on `active`,
 * so concurrent failures record one reason). Returns whether the endpoint is off now.
 */
async function recordOutcome(orgId: ObjectId, endpointId: ObjectId, result: DeliveryAttempt): Promise<boolean> {
  const endpoints = scoped(orgId)("webhook_endpoints");
  const now = new Date();
  if (result.error === null) {
    await endpoints.updateOne({ _id: endpointId }, { $set: { consecutiveFailures: 0, lastSuccessAt: now, updatedAt: now } });
    return false;
  }
  const after = await endpoints.findOneAndUpdate({ _id: endpointId }, { $inc: { consecutiveFailures: 1 }, $set: { lastFailureAt: now, updatedAt: now } }, { returnDocument: "after", projection: { consecutiveFailures: 1, active: 1 } });
  if (!after || !after.active) return true;
  if (after.consecutiveFailures < AUTO_DISABLE_AFTER_FAILURES) return false;
  const reason = `Disabled automatically after ${after.consecutiveFailures} failed attempts in a row; the last: ${result.error}`.slice(0, 500);
  const off = await endpoints.updateOne({ _id: endpointId, active: true }, { $set: { active: false, disabledReason: reason, disabledAt: now, updatedAt: now } });
  if (off.modifiedCount) {
    log.warn("outbound_webhook.endpoint_disabled", { orgId: orgId.toHexString(), endpointId: endpointId.toHexString(), reason });
    // The endpoint's other deliveries waiting for a retry stop here too: re-enabling starts a fresh
    // streak instead of resuming old retries that would fail it again (a replay sends any of them).
    await scoped(orgId)("webhook_deliveries").updateMany({ endpointId, status: "pending" }, { $set: { status: "failed", nextAttemptAt: null, updatedAt: now } });
  }
  return true;
}
