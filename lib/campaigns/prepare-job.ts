import { ObjectId, type AnyBulkWriteOperation } from "mongodb";
import { z } from "zod";
import { asSegmentQuery, audienceFilter } from "@/lib/contacts/segments/run";
import { scoped } from "@/lib/db/scoped";
import { defineJob } from "@/lib/jobs/define-job";
import { enqueue } from "@/lib/jobs/enqueue";
import { idString } from "@/lib/schemas/common";
import { emptyCounters, type CampaignDoc, type CampaignRecipientDoc, type FunnelCounters } from "@/lib/schemas/campaign";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { SegmentGroup } from "@/lib/schemas/segment";
import { emitCampaignFinished } from "./counters";
import { campaignMeta, dispatch } from "./dispatch";
import { bucket, countryOf, exclusionFor, renderValues, variantFor, type ContactHistory } from "./recipient-rules";

const BATCH = 500;
const DISPATCH_BATCH = 5_000;
const SLICE_MS = 20_000;

/** Marketing rules apply when any variant is a marketing template. */
export function campaignCategory(c: Pick<CampaignDoc, "variants">): string {
  return c.variants.some((v) => v.template.category.toUpperCase() === "MARKETING") ? "MARKETING" : (c.variants[0]?.template.category ?? "MARKETING");
}

/** What other campaigns sent each contact lately, and who hit Meta's marketing limit: one query per batch. */
export async function historyOf(orgId: ObjectId, campaign: Pick<CampaignDoc, "_id" | "exclusions">, contactIds: ObjectId[], now: Date): Promise<Map<string, ContactHistory>> {
  const out = new Map<string, ContactHistory>();
  const capDays = campaign.exclusions.frequencyCapDays ?? 0;
  const since = new Date(now.getTime() - Math.max(capDays, 1) * 24 * 3600_000);
  const rows = await scoped(orgId)("campaign_recipients")
    .find(
      { contactId: { $in: contactIds }, campaignId: { $ne: campaign._id }, $or: [{ sentAt: { $gte: since } }, { cappedAt: { $gte: new Date(now.getTime() - 24 * 3600_000) } }] },
      { projection: { contactId: 1, sentAt: 1, cappedAt: 1 } },
    )
    .toArray();
  for (const r of rows) {
    const h = out.get(r.contactId.toHexString()) ?? { lastSentAt: null, cappedAt: null };
    if (r.sentAt && (!h.lastSentAt || r.sentAt > h.lastSentAt)) h.lastSentAt = r.sentAt;
    if (r.cappedAt && (!h.cappedAt || r.cappedAt > h.cappedAt)) h.cappedAt = r.cappedAt;
    out.set(r.contactId.toHexString(), h);
  }
  return out;
}

/**
 * Whether anyone of the audience would be sent to, read in batches until the first one is found
 * (the usual case costs one batch); `excluded` counts the excluded contacts seen before it.
 */
export async function firstRecipient(orgId: ObjectId, campaign: CampaignDoc, definition: SegmentGroup): Promise<{ found: boolean; excluded: number }> {
  const db = scoped(orgId);
  const now = new Date();
  let excluded = 0;
  let cursor: ObjectId | null = null;
  for (;;) {
    const filter = audienceFilter(definition, ...(cursor ? [{ _id: { $gt: cursor } }] : []));
    const contacts: ContactDoc[] = await asSegmentQuery(() => db("contacts").find(filter, { sort: { _id: 1 }, limit: BATCH }).toArray());
    if (contacts.length === 0) return { found: false, excluded };
    const history = await historyOf(orgId, campaign, contacts.map((c) => c._id), now);
    for (const c of contacts) {
      const r = recipientFor(campaign, c, history.get(c._id.toHexString()) ?? { lastSentAt: null, cappedAt: null }, now);
      if (r.status === "excluded") excluded++;
      else if (r.status !== "control") return { found: true, excluded };
    }
    if (contacts.length < BATCH) return { found: false, excluded };
    cursor = contacts[contacts.length - 1]!._id;
  }
}

/** One recipient record for a contact of the audience: excluded, control, holdback or queued for a variant. */
export function recipientFor(campaign: CampaignDoc, contact: ContactDoc, history: ContactHistory, now: Date): Omit<CampaignRecipientDoc, "orgId"> {
  const _id = new ObjectId();
  const excludedReason = exclusionFor(contact, { exclusions: campaign.exclusions, category: campaignCategory(campaign) }, history, now);
  const variant = variantFor(campaign, bucket(campaign._id, contact._id));
  const stored = campaign.variants.find((v) => v.key === variant) ?? campaign.variants[0]!;
  const goalTag = campaign.conversion?.kind === "tag" ? campaign.conversion.tag : null;
  return {
    _id,
    campaignId: campaign._id,
    contactId: contact._id,
    variant,
    status: excludedReason ? "excluded" : variant === "control" ? "control" : variant === "holdback" ? "holdback" : "queued",
    excludedReason,
    to: contact.phone ?? contact.bsuid,
    country: countryOf(contact.phone),
    values: excludedReason || variant === "control" ? {} : renderValues(stored, contact, _id),
    claimToken: null,
    claimedAt: null,
    attempts: 0,
    nextAttemptAt: null,
    messageId: null,
    sentAt: null,
    deliveredAt: null,
    readAt: null,
    repliedAt: null,
    clickedAt: null,
    convertedAt: null,
    failedAt: null,
    heldAt: null,
    cappedAt: null,
    error: null,
    hadGoalTag: goalTag ? contact.tags.includes(goalTag) : false,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * `campaign-prepare`: materialises the audience into campaign_recipients, in batches by contact id
 * for ~20 s per delivery, then enqueues itself from the cursor. Each recipient is an upsert on the
 * unique (campaign, contact), so a retried batch writes nothing twice. At the end the counters are
 * set from the recipients themselves (exact whatever retries happened), the campaign starts
 * sending and its queued recipients are dispatched.
 */
export const campaignPrepareJob = defineJob({
  name: "campaign-prepare",
  schema: z.object({ orgId: idString, campaignId: idString }),
  concurrency: 2,
  async handle(p, ctx) {
    const orgId = new ObjectId(p.orgId);
    const db = scoped(orgId);
    const started = Date.now();
    let campaign = await db("campaigns").findOne({ _id: new ObjectId(p.campaignId) });
    if (!campaign || campaign.status !== "preparing") return { skipped: campaign?.status ?? "missing" };
    // startCampaign copied the saved segment and the campaign's own conditions into one definition.
    const definition = campaign.audience.definition;
    let cursor = campaign.prepareCursor;
    let written = 0;
    for (;;) {
      const filter = audienceFilter(definition, ...(cursor ? [{ _id: { $gt: cursor } }] : []));
      const contacts = await asSegmentQuery(() => db("contacts").find(filter, { sort: { _id: 1 }, limit: BATCH }).toArray());
      if (contacts.length) {
        const now = new Date();
        const history = await historyOf(orgId, campaign, contacts.map((c) => c._id), now);
        const none: ContactHistory = { lastSentAt: null, cappedAt: null };
        const ops: AnyBulkWriteOperation<CampaignRecipientDoc>[] = contacts.map((c) => ({
          updateOne: { filter: { campaignId: campaign!._id, contactId: c._id }, update: { $setOnInsert: recipientFor(campaign!, c, history.get(c._id.toHexString()) ?? none, now) }, upsert: true },
        }));
        await db("campaign_recipients").bulkWrite(ops, { ordered: false });
        cursor = contacts[contacts.length - 1]!._id;
        written += contacts.length;
        await db("campaigns").updateOne({ _id: campaign._id, status: "preparing" }, { $set: { prepareCursor: cursor, updatedAt: new Date() }, $inc: { "counters.targeted": contacts.length } });
      }
      if (contacts.length < BATCH) break;
      if (Date.now() - started > SLICE_MS) {
        await ctx.enqueue("campaign-prepare", p, { deduplicationId: `campaign-prepare-${p.campaignId}-${cursor!.toHexString()}` });
        return { written, continues: true };
      }
    }
    campaign = await finishPreparation(orgId, campaign._id);
    return { written, status: campaign?.status };
  },
});

/** Counters from the recipients (one aggregation), then `sending` and the first dispatch. */
export async function finishPreparation(orgId: ObjectId, campaignId: ObjectId): Promise<CampaignDoc | null> {
  const db = scoped(orgId);
  const rows = await db("campaign_recipients")
    .aggregate<{ _id: { variant: string; status: string; reason: string | null }; n: number }>([
      { $match: { campaignId } },
      { $group: { _id: { variant: "$variant", status: "$status", reason: "$excludedReason" }, n: { $sum: 1 } } },
    ])
    .toArray();
  const counters = emptyCounters();
  const byVariant: Record<string, FunnelCounters> = {};
  const excludedBy: Record<string, number> = {};
  for (const { _id, n } of rows) {
    const v = (byVariant[_id.variant] ??= emptyCounters());
    for (const c of [counters, v]) {
      c.targeted += n;
      if (_id.status === "excluded") c.excluded += n;
      if (_id.status === "queued" || _id.status === "holdback") c.pending += n;
    }
    if (_id.reason) excludedBy[_id.reason] = (excludedBy[_id.reason] ?? 0) + n;
  }
  const now = new Date();
  const next = counters.pending > 0 ? "sending" : "completed";
  const c = await db("campaigns").findOneAndUpdate(
    { _id: campaignId, status: "preparing" },
    { $set: { counters, byVariant, excludedBy, status: next, preparedAt: now, updatedAt: now, ...(next === "completed" ? { completedAt: now } : {}) } },
    { returnDocument: "after" },
  );
  if (!c) return db("campaigns").findOne({ _id: campaignId });
  if (next === "completed") await emitCampaignFinished(orgId, c);
  if (next === "sending") {
    await enqueue("campaign-dispatch", { orgId: orgId.toHexString(), campaignId: campaignId.toHexString(), round: "start", after: null }, { deduplicationId: `campaign-dispatch-${campaignId.toHexString()}-start` });
    if (c.winner && c.variants.length > 1) {
      await enqueue("campaign-winner", { orgId: orgId.toHexString(), campaignId: campaignId.toHexString() }, { delaySeconds: c.winner.afterHours * 3600, deduplicationId: `campaign-winner-${campaignId.toHexString()}` });
    }
  }
  return c;
}

/**
 * `campaign-dispatch`: enqueues send jobs for a campaign's queued recipients, 5,000 per delivery in
 * _id order, then itself for the rest. Used at the start, on resume and by the sweep.
 */
export const campaignDispatchJob = defineJob({
  name: "campaign-dispatch",
  schema: z.object({ orgId: idString, campaignId: idString, round: z.string().max(60), after: idString.nullable() }),
  concurrency: 2,
  async handle(p, ctx) {
    const orgId = new ObjectId(p.orgId);
    const campaignId = new ObjectId(p.campaignId);
    const db = scoped(orgId);
    const status = (await db("campaigns").findOne({ _id: campaignId }, { projection: { status: 1 } }))?.status;
    if (status !== "sending") return { skipped: status ?? "missing" };
    const meta = await campaignMeta(orgId, campaignId);
    if (!meta) return { skipped: "missing" };
    const rows = await db("campaign_recipients")
      .find({ campaignId, status: "queued", ...(p.after ? { _id: { $gt: new ObjectId(p.after) } } : {}) }, { sort: { _id: 1 }, limit: DISPATCH_BATCH, projection: { _id: 1, nextAttemptAt: 1 } })
      .toArray();
    const now = Date.now();
    const due = rows.filter((r) => !r.nextAttemptAt || r.nextAttemptAt.getTime() <= now).map((r) => r._id);
    await dispatch(orgId, meta, due, { round: p.round });
    if (rows.length === DISPATCH_BATCH) {
      const after = rows[rows.length - 1]!._id.toHexString();
      await ctx.enqueue("campaign-dispatch", { ...p, after }, { deduplicationId: `campaign-dispatch-${p.campaignId}-${p.round}-${after}` });
    }
    return { dispatched: due.length };
  },
});
