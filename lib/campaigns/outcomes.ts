import { ObjectId } from "mongodb";
import { scheduleLeadScore } from "@/lib/scoring/score-contact-job";
import { emitBehavior } from "@/lib/automation/emit";
import { scoped } from "@/lib/db/scoped";
import { enqueue } from "@/lib/jobs/enqueue";
import { log } from "@/lib/log";
import type { CampaignRecipientDoc, CampaignRef, RecipientVariant } from "@/lib/schemas/campaign";
import type { DeliveryStatus, MetaErrorInfo } from "@/lib/schemas/message";
import { defaultPricing, type PricingTable } from "@/lib/schemas/settings";
import { recordConsent } from "@/lib/webhook/consent";
import { bump, type CounterDelta, type CounterTally } from "./counters";
import { campaignMeta, dispatch } from "./dispatch";
import { actionFor, backoffSeconds, MAX_BACKOFF_ATTEMPTS } from "./meta-errors";

/**
 * How a recipient moves after its send: statuses, Meta's errors, replies, clicks and conversions.
 * Each step is an update whose filter holds the state it leaves (so it happens once however often
 * the event arrives) and the counters move only by what those updates changed.
 */

const REPLY_WINDOW_MS = 72 * 3600_000;

type Failure = { code: number; message: string; clientKind?: string };

type From = "sending" | "sent";

/**
 * A failed send or a `failed` status. `from` is the state (or states) the recipient may leave:
 * `sending` (the send's own answer) or `sent` (a later status webhook). A status webhook passes
 * both: the send job may mark the recipient sent between the webhook's read and its write, so the
 * update takes whichever state it finds and the counters move by the one it actually left.
 */
export async function applyFailure(orgId: ObjectId, r: Pick<CampaignRecipientDoc, "_id" | "campaignId" | "contactId" | "variant" | "attempts">, from: From | From[], f: Failure, at: Date): Promise<"rescheduled" | "retry" | "paused" | "failed" | "none"> {
  const db = scoped(orgId);
  const recipients = db("campaign_recipients");
  const action = actionFor(f.code, f.clientKind);
  const error = { code: f.code, message: f.message };
  const froms = Array.isArray(from) ? from : [from];
  /** Moves the recipient out of `froms` once; null when another event moved it first. */
  const leave = async (set: Partial<CampaignRecipientDoc>): Promise<From | null> => {
    const before = await recipients.findOneAndUpdate({ _id: r._id, status: { $in: froms } }, { $set: set }, { projection: { status: 1 } });
    return before ? (before.status as From) : null;
  };
  const wasSent = (left: From): CounterDelta => (left === "sent" ? { sent: -1, pending: 1 } : {});
  const now = new Date();
  switch (action.kind) {
    case "reschedule": {
      const next = new Date(at.getTime() + action.afterMs);
      const left = await leave({ status: "rescheduled", cappedAt: at, nextAttemptAt: next, error, claimToken: null, updatedAt: now });
      if (!left) return "none";
      await bump(orgId, r.campaignId, [{ variant: r.variant, delta: wasSent(left) }]);
      await db("contacts").updateOne({ _id: r.contactId, "lastCampaign.recipientId": r._id }, { $set: { "lastCampaign.rescheduled": true, updatedAt: now } });
      await enqueue(
        "campaign-retry",
        { orgId: orgId.toHexString(), recipientId: r._id.toHexString(), reason: "capped" },
        { delaySeconds: Math.ceil(action.afterMs / 1000), deduplicationId: `campaign-retry-${r._id.toHexString()}-${at.getTime()}` },
      );
      return "rescheduled";
    }
    case "backoff": {
      if (r.attempts >= MAX_BACKOFF_ATTEMPTS) return finalFailure(orgId, r, froms, error, at);
      const delay = backoffSeconds(r.attempts);
      const left = await leave({ status: "queued", nextAttemptAt: new Date(now.getTime() + delay * 1000), error, claimToken: null, updatedAt: now });
      if (!left) return "none";
      await bump(orgId, r.campaignId, [{ variant: r.variant, delta: wasSent(left) }]);
      const meta = await campaignMeta(orgId, r.campaignId);
      if (meta) await dispatch(orgId, meta, [r._id], { round: `backoff-${r.attempts}`, delaySeconds: delay });
      return "retry";
    }
    case "pause": {
      const left = await leave({ status: "queued", error, claimToken: null, updatedAt: now });
      if (left) await bump(orgId, r.campaignId, [{ variant: r.variant, delta: wasSent(left) }]);
      await pauseCampaign(orgId, r.campaignId, action.reason);
      return "paused";
    }
    case "marketing_stop":
      await recordConsent(orgId, r.contactId, {
        eventId: new ObjectId(),
        state: "opted_out",
        channel: "marketing",
        source: "meta_error",
        detail: `Meta refused a campaign message with 131050 (the person stopped marketing messages)`,
        at,
      });
      return finalFailure(orgId, r, froms, error, at);
    case "final":
      return finalFailure(orgId, r, froms, error, at);
  }
}

async function finalFailure(orgId: ObjectId, r: Pick<CampaignRecipientDoc, "_id" | "campaignId" | "variant">, froms: From[], error: { code: number; message: string }, at: Date) {
  const before = await scoped(orgId)("campaign_recipients").findOneAndUpdate(
    { _id: r._id, status: { $in: froms } },
    { $set: { status: "failed", failedAt: at, error, claimToken: null, updatedAt: new Date() } },
    { projection: { status: 1 } },
  );
  if (!before) return "none";
  const delta: CounterDelta = before.status === "sent" ? { sent: -1, failed: 1 } : { pending: -1, failed: 1 };
  await bump(orgId, r.campaignId, [{ variant: r.variant, delta, failedCode: error.code }]);
  return "failed";
}

/** Stops sending: the send jobs of a paused campaign leave their recipients queued for the resume. */
export async function pauseCampaign(orgId: ObjectId, campaignId: ObjectId, reason: string) {
  const res = await scoped(orgId)("campaigns").updateOne(
    { _id: campaignId, status: { $in: ["preparing", "sending", "scheduled"] } },
    { $set: { status: "paused", pauseReason: reason, updatedAt: new Date() } },
  );
  if (res.modifiedCount) log.warn("campaign.paused", { orgId: orgId.toHexString(), campaignId: campaignId.toHexString(), reason });
}

// ---- status webhooks -----------------------------------------------------------------------------

/**
 * A status of a campaign message moved its message (lib/webhook/statuses.ts calls this). `sent`
 * settles a recipient whose send job died after Meta accepted it; `delivered` and `read` stamp
 * their time once (a `read` implies `delivered`, whatever order they come in) and price the message.
 */
export async function onCampaignStatus(
  orgId: ObjectId,
  ref: CampaignRef,
  status: DeliveryStatus,
  at: Date,
  extra: { error?: MetaErrorInfo | null; pricing?: Record<string, unknown> | null },
  tally?: CounterTally,
) {
  const recipients = scoped(orgId)("campaign_recipients");
  const variant: RecipientVariant = ref.variant;
  if (status === "failed") {
    const r = await recipients.findOne({ _id: ref.recipientId }, { projection: { campaignId: 1, contactId: 1, variant: 1, attempts: 1, status: 1 } });
    if (!r || (r.status !== "sent" && r.status !== "sending")) return;
    // Either state: the send job may record its answer (sending → sent) between this read and the write.
    await applyFailure(orgId, r, ["sending", "sent"], { code: extra.error?.code ?? 0, message: extra.error?.title ?? "Failed" }, at);
    return;
  }
  const delta: CounterDelta = {};
  // Still `sending`: the send's answer was lost (a crash after Meta accepted it); the status settles it.
  const adopt = async () => {
    const accepted = await recipients.updateOne({ _id: ref.recipientId, status: "sending" }, { $set: { status: "sent", sentAt: at, claimToken: null, updatedAt: new Date() } });
    if (accepted.modifiedCount) Object.assign(delta, { sent: 1, pending: -1 });
  };
  if (status === "sent") await adopt();
  if (status === "delivered" || status === "read" || status === "played") {
    // One write in the usual case (the send job recorded the answer), a second only to adopt.
    const before = await recipients.findOneAndUpdate(
      { _id: ref.recipientId, status: { $in: ["sent", "sending"] }, deliveredAt: null },
      { $set: { deliveredAt: at, heldAt: null, updatedAt: new Date() } },
      { projection: { country: 1, status: 1, contactId: 1 } },
    );
    if (before) {
      if (before.status === "sending") await adopt();
      delta.delivered = 1;
      await emitBehavior(orgId, "campaign_delivered", before.contactId, ref.campaignId, at);
      if (extra.pricing?.billable !== false) delta.costMicros = await priceMicros(orgId, ref, before.country);
    }
  }
  if (status === "read" || status === "played") {
    const read = await recipients.findOneAndUpdate({ _id: ref.recipientId, status: { $in: ["sent", "sending"] }, readAt: null }, { $set: { readAt: at, updatedAt: new Date() } }, { projection: { contactId: 1 } });
    if (read) {
      delta.read = 1;
      await emitBehavior(orgId, "campaign_read", read.contactId, ref.campaignId, at);
    }
  }
  if (tally) tally.add(ref.campaignId, { variant, delta });
  else await bump(orgId, ref.campaignId, [{ variant, delta }]);
}

const pricingCache = new Map<string, { value: PricingTable; until: number }>();

async function priceMicros(orgId: ObjectId, ref: CampaignRef, country: string | null): Promise<number> {
  const meta = await campaignMeta(orgId, ref.campaignId);
  const category = (meta?.variants.find((v) => v.key === ref.variant)?.template.category ?? "MARKETING").toLowerCase() as "marketing" | "utility" | "authentication";
  const table = await pricingOf(orgId);
  const prices = (country && table.countries[country]) || table.default;
  return Math.round((prices[category] ?? prices.marketing) * 1_000_000);
}

export async function pricingOf(orgId: ObjectId): Promise<PricingTable> {
  const key = orgId.toHexString();
  const hit = pricingCache.get(key);
  if (hit && hit.until > Date.now()) return hit.value;
  const s = await scoped(orgId)("settings").findOne({}, { projection: { pricing: 1 } });
  const value = s?.pricing ?? defaultPricing;
  pricingCache.set(key, { value, until: Date.now() + 60_000 });
  return value;
}

// ---- replies, clicks, conversions ----------------------------------------------------------------

/**
 * The customer wrote after a campaign message (the webhook saw `lastCampaign` on the contact):
 * a reply within 72 h of the send counts once; a recipient waiting after 131049 is sent now, since
 * the open window is the moment Meta's marketing limit no longer applies.
 */
export async function onCustomerMessage(orgId: ObjectId, recipientId: ObjectId, at: Date) {
  const db = scoped(orgId);
  const recipients = db("campaign_recipients");
  const r = await recipients.findOneAndUpdate(
    // No upper bound: the hint is written after the send, and Meta's timestamps are whole seconds.
    { _id: recipientId, status: "sent", repliedAt: null, sentAt: { $gte: new Date(at.getTime() - REPLY_WINDOW_MS) } },
    { $set: { repliedAt: at, updatedAt: new Date() } },
    { projection: { campaignId: 1, variant: 1, contactId: 1 } },
  );
  if (r) {
    await bump(orgId, r.campaignId, [{ variant: r.variant, delta: { replied: 1 } }]);
    await emitBehavior(orgId, "campaign_replied", r.contactId, r.campaignId, at);
  }
  const waiting = await recipients.findOneAndUpdate(
    { _id: recipientId, status: "rescheduled" },
    { $set: { status: "queued", nextAttemptAt: null, updatedAt: new Date() } },
    { projection: { campaignId: 1 } },
  );
  if (waiting) {
    const meta = await campaignMeta(orgId, waiting.campaignId);
    if (meta) await dispatch(orgId, meta, [recipientId], { round: `wrote-${at.getTime()}` });
  }
}

/** A tracked URL button was opened (app/r/[token]); the first click counts. */
export async function recordClick(orgId: ObjectId, recipientId: ObjectId, at: Date) {
  const r = await scoped(orgId)("campaign_recipients").findOneAndUpdate(
    { _id: recipientId, clickedAt: null, status: "sent" },
    { $set: { clickedAt: at, updatedAt: new Date() } },
    { projection: { campaignId: 1, variant: 1, contactId: 1 } },
  );
  if (r) {
    await bump(orgId, r.campaignId, [{ variant: r.variant, delta: { clicked: 1 } }]);
    await emitBehavior(orgId, "campaign_clicked", r.contactId, r.campaignId, at);
    // Clicks are an engagement factor of the lead score.
    await scheduleLeadScore(orgId, r.contactId, at);
  }
}

/** A recipient reached the campaign's goal within its window (the conversions job or an API event). */
export async function recordConversion(orgId: ObjectId, recipientId: ObjectId, at: Date): Promise<boolean> {
  const r = await scoped(orgId)("campaign_recipients").findOneAndUpdate(
    { _id: recipientId, convertedAt: null, $or: [{ status: "sent" }, { status: "control" }] },
    { $set: { convertedAt: at, updatedAt: new Date() } },
    { projection: { campaignId: 1, variant: 1 } },
  );
  if (r) await bump(orgId, r.campaignId, [{ variant: r.variant, delta: { converted: 1 } }]);
  return !!r;
}

export type GoalReached = { kind: "event"; name: string } | { kind: "journey_stage"; stage: string };

/**
 * Something the contact did that a campaign may count as its goal: an event posted through the
 * public API, or a move into a journey stage. Converts the recipients of the campaigns whose goal
 * it is and whose window it falls in (each once: recordConversion's filter holds `convertedAt: null`).
 */
export async function recordGoalReached(orgId: ObjectId, contactId: ObjectId, reached: GoalReached, at: Date): Promise<number> {
  const db = scoped(orgId);
  const candidates = await db("campaign_recipients")
    .find({ contactId, sentAt: { $gte: new Date(at.getTime() - 720 * 3600_000), $lte: at }, convertedAt: null }, { projection: { _id: 1, campaignId: 1, sentAt: 1 } })
    .toArray();
  let n = 0;
  for (const r of candidates) {
    const meta = await campaignMeta(orgId, r.campaignId);
    const goal = meta?.conversion;
    const matches = goal?.kind === "event" ? reached.kind === "event" && goal.name === reached.name : goal?.kind === "journey_stage" ? reached.kind === "journey_stage" && goal.stage === reached.stage : false;
    if (!goal || !matches) continue;
    if (at.getTime() - r.sentAt!.getTime() > goal.windowHours * 3600_000) continue;
    if (await recordConversion(orgId, r._id, at)) n++;
  }
  return n;
}

/** A template was paused or disabled by Meta: every campaign that would still send it stops, with the reason. */
export async function pauseCampaignsUsing(orgId: ObjectId, templateId: ObjectId, reason: string): Promise<number> {
  const campaigns = scoped(orgId)("campaigns");
  const affected = await campaigns.find({ status: { $in: ["scheduled", "preparing", "sending"] }, "variants.templateId": templateId }, { projection: { _id: 1 } }).toArray();
  for (const c of affected) await pauseCampaign(orgId, c._id, reason);
  return affected.length;
}
