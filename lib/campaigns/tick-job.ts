import type { ObjectId } from "mongodb";
import { z } from "zod";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { defineJob } from "@/lib/jobs/define-job";
import { enqueue } from "@/lib/jobs/enqueue";
import { log } from "@/lib/log";
import { startCampaign } from "./campaigns";
import { recountCampaign } from "./counters";
import { recordConversion, pauseCampaign } from "./outcomes";
import { IN_DOUBT_AFTER_MS } from "./send-job";

/** A sending campaign with no progress for this long is recounted and re-dispatched (a lost job must not strand its recipients). */
const STALL_MS = Number(process.env.CAMPAIGN_STALL_MS ?? 2 * 60_000);
/** How long after completion a campaign's counts are still checked (the longest conversion window). */
const RECOUNT_COMPLETED_MS = 30 * 24 * 3600_000;
/** Tagged contacts looked up against a campaign's recipients per query. */
const CONVERSION_BATCH = 1_000;

/**
 * `campaigns-tick` (every minute), per organization:
 * 1. starts scheduled campaigns whose time has come (a template paused since pauses them instead);
 * 2. sweeps sending campaigns: recipients claimed by a delivery that died and whose doubt has
 *    expired go back to the queue, and a campaign that stopped moving is recounted and dispatched
 *    again; a completed campaign whose recipients changed since its last count is recounted once quiet;
 * 3. counts conversions by tag for campaigns inside their conversion window.
 */
export const campaignsTickJob = defineJob({
  name: "campaigns-tick",
  schema: z.object({}),
  retries: 2,
  async handle() {
    const now = new Date();
    let started = 0;
    let swept = 0;
    let converted = 0;
    for await (const org of rawCollection("organizations").find({}, { projection: { _id: 1 }, sort: { _id: 1 } })) {
      started += await startDue(org._id, now);
      swept += await sweep(org._id, now);
      converted += await conversionsByTag(org._id, now);
    }
    return { started, swept, converted };
  },
});

async function startDue(orgId: ObjectId, now: Date): Promise<number> {
  const due = await scoped(orgId)("campaigns").find({ status: "scheduled", scheduledAt: { $lte: now } }, { sort: { scheduledAt: 1 }, limit: 20, projection: { _id: 1 } }).toArray();
  let n = 0;
  for (const c of due) {
    try {
      await startCampaign(orgId, null, c._id, { from: ["scheduled"] });
      n++;
    } catch (err) {
      // Not sendable any more (template paused or rejected since): stop it with the reason for the marketer.
      await pauseCampaign(orgId, c._id, `Not started at its scheduled time: ${(err as Error).message}`);
    }
  }
  return n;
}

async function sweep(orgId: ObjectId, now: Date): Promise<number> {
  const db = scoped(orgId);
  const sending = await db("campaigns").find({ status: "sending" }, { projection: { _id: 1, updatedAt: 1 } }).toArray();
  let n = 0;
  for (const c of sending) {
    const stale = await db("campaign_recipients").updateMany(
      { campaignId: c._id, status: "sending", claimedAt: { $lt: new Date(now.getTime() - IN_DOUBT_AFTER_MS) } },
      { $set: { status: "queued", claimToken: null, updatedAt: now } },
    );
    n += stale.modifiedCount;
    const quiet = now.getTime() - c.updatedAt.getTime() > STALL_MS;
    if (stale.modifiedCount > 0 || quiet) {
      log.info("campaign.sweep", { orgId: orgId.toHexString(), campaignId: c._id.toHexString(), requeued: stale.modifiedCount, quiet });
      // Only a campaign that stopped moving is recounted: a live job counts right after its transitions.
      if (quiet) await recountCampaign(orgId, c._id);
      const round = `sweep-${Math.floor(now.getTime() / 60_000)}`;
      await enqueue("campaign-dispatch", { orgId: orgId.toHexString(), campaignId: c._id.toHexString(), round, after: null }, { deduplicationId: `campaign-dispatch-${c._id.toHexString()}-${round}` });
    }
  }
  // Statuses, replies and clicks keep counting after completion, one bump per webhook envelope: a
  // worker killed between the recipients' updates and that bump loses counts, which only the
  // recipients still show. Recounted once the newest such change is quiet (no bump still in flight).
  const completed = await db("campaigns")
    .find({ status: "completed", completedAt: { $gte: new Date(now.getTime() - RECOUNT_COMPLETED_MS) } }, { projection: { _id: 1, countedAt: 1, completedAt: 1 } })
    .toArray();
  for (const c of completed) {
    const since = c.countedAt ?? c.completedAt ?? new Date(0);
    const newest = await db("campaign_recipients").findOne({ campaignId: c._id, updatedAt: { $gt: since } }, { sort: { updatedAt: -1 }, projection: { updatedAt: 1 } });
    if (newest && now.getTime() - newest.updatedAt.getTime() > STALL_MS) await recountCampaign(orgId, c._id);
  }
  return n;
}

/**
 * Tag goals: contacts that carry the goal tag now, changed since the last check, and did not have
 * it when the campaign started, converted (sent recipients and the control group alike, which is
 * what makes the control comparison fair).
 */
async function conversionsByTag(orgId: ObjectId, now: Date): Promise<number> {
  const db = scoped(orgId);
  const recent = new Date(now.getTime() - 30 * 24 * 3600_000);
  const campaigns = await db("campaigns")
    .find({ status: { $in: ["sending", "completed"] }, "conversion.kind": "tag", startedAt: { $gte: recent } }, { projection: { _id: 1, conversion: 1, startedAt: 1, conversionCheckedAt: 1 } })
    .toArray();
  let n = 0;
  for (const c of campaigns) {
    const goal = c.conversion!;
    if (goal.kind !== "tag" || !c.startedAt) continue;
    const windowEnd = new Date(c.startedAt.getTime() + goal.windowHours * 3600_000);
    const since = c.conversionCheckedAt ?? c.startedAt;
    if (since > windowEnd) continue;
    const tagged = db("contacts").find({ tags: goal.tag, updatedAt: { $gte: since } }, { projection: { _id: 1 } }).batchSize(CONVERSION_BATCH);
    let ids: ObjectId[] = [];
    const convertBatch = async () => {
      const recipients = await db("campaign_recipients")
        .find({ campaignId: c._id, contactId: { $in: ids }, hadGoalTag: false, convertedAt: null, status: { $in: ["sent", "control"] } }, { projection: { _id: 1 } })
        .toArray();
      for (const r of recipients) if (await recordConversion(orgId, r._id, now)) n++;
      ids = [];
    };
    for await (const contact of tagged) {
      ids.push(contact._id);
      if (ids.length === CONVERSION_BATCH) await convertBatch();
    }
    if (ids.length) await convertBatch();
    await db("campaigns").updateOne({ _id: c._id }, { $set: { conversionCheckedAt: now } });
  }
  return n;
}
