import type { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";
import { emptyCounters, type CampaignDoc, type FunnelCounters, type RecipientVariant } from "@/lib/schemas/campaign";
import { emitEvent } from "@/lib/outbound-webhooks/emit";
import { campaignData } from "@/lib/outbound-webhooks/payloads";

export type CounterDelta = Partial<Record<keyof FunnelCounters, number>>;
type Change = { variant: RecipientVariant; delta: CounterDelta; failedCode?: number };

/**
 * Counter changes gathered over many events (one webhook envelope of statuses) and written as one
 * `bump` per campaign: at 1,000 messages a second a bump per status would be thousands of updates
 * a second to one campaign document. A crash before `flush` loses only counts, which the sweep's
 * recount restores from the recipients.
 */
export class CounterTally {
  private readonly byCampaign = new Map<string, { id: ObjectId; changes: Change[] }>();
  add(campaignId: ObjectId, change: Change) {
    const key = campaignId.toHexString();
    const entry = this.byCampaign.get(key) ?? { id: campaignId, changes: [] };
    entry.changes.push(change);
    this.byCampaign.set(key, entry);
  }
  async flush(orgId: ObjectId): Promise<void> {
    const entries = [...this.byCampaign.values()];
    this.byCampaign.clear();
    for (const e of entries) await bump(orgId, e.id, e.changes);
  }
}

/**
 * The funnel counters move only here, by `$inc` on the campaign (total and per variant), and only
 * after a guarded transition of a recipient (an update whose filter holds the state it leaves), so
 * a redelivered webhook or a retried job never counts twice. One write per call.
 */
export async function bump(
  orgId: ObjectId,
  campaignId: ObjectId,
  changes: Change[],
): Promise<Pick<CampaignDoc, "status" | "counters"> | null> {
  const inc: Record<string, number> = {};
  for (const c of changes) {
    for (const [k, v] of Object.entries(c.delta)) {
      if (!v) continue;
      inc[`counters.${k}`] = (inc[`counters.${k}`] ?? 0) + v;
      inc[`byVariant.${c.variant}.${k}`] = (inc[`byVariant.${c.variant}.${k}`] ?? 0) + v;
    }
    if (c.failedCode !== undefined && c.delta.failed) inc[`failedBy.${c.failedCode}`] = (inc[`failedBy.${c.failedCode}`] ?? 0) + c.delta.failed;
  }
  if (Object.keys(inc).length === 0) return null;
  const campaigns = scoped(orgId)("campaigns");
  const after = await campaigns.findOneAndUpdate({ _id: campaignId }, { $inc: inc, $set: { updatedAt: new Date() } }, { returnDocument: "after", projection: { status: 1, counters: 1 } });
  // The last pending recipient settled: the campaign is done (the condition makes this happen once).
  if (after && after.status === "sending" && after.counters.pending <= 0) {
    const done = await campaigns.findOneAndUpdate(
      { _id: campaignId, status: "sending", "counters.pending": { $lte: 0 } },
      { $set: { status: "completed", completedAt: new Date(), updatedAt: new Date() } },
      { returnDocument: "after", projection: { name: 1, status: 1, counters: 1, completedAt: 1 } },
    );
    if (done) await emitCampaignFinished(orgId, done);
  }
  // A late 131049 put a recipient back in the queue after the last send: the campaign is not done yet.
  if (after && after.status === "completed" && after.counters.pending > 0) {
    await campaigns.updateOne({ _id: campaignId, status: "completed", "counters.pending": { $gt: 0 } }, { $set: { status: "sending", completedAt: null, updatedAt: new Date() } });
  }
  return after;
}

/**
 * The funnel counted again from the recipients themselves (one aggregation). Without transactions
 * a send job can die between a recipient's transition and its `$inc`; the sweep calls this for a
 * campaign that stopped moving, so such a gap never stays. The result is written only if the
 * campaign did not change while it was counted (every `bump` moves `updatedAt`): a count that
 * raced a live job is dropped, not written over its `$inc`, and the next sweep counts again. The
 * cost is kept (it is priced per status, not derivable from the recipients).
 */
export async function recountCampaign(orgId: ObjectId, campaignId: ObjectId): Promise<boolean> {
  const db = scoped(orgId);
  const current = await db("campaigns").findOne({ _id: campaignId }, { projection: { counters: 1, byVariant: 1, updatedAt: 1 } });
  if (!current) return false;
  const rows = await db("campaign_recipients")
    .aggregate<{ _id: { variant: string; status: string }; n: number; delivered: number; read: number; replied: number; clicked: number; converted: number }>([
      { $match: { campaignId } },
      {
        $group: {
          _id: { variant: "$variant", status: "$status" },
          n: { $sum: 1 },
          delivered: { $sum: { $cond: [{ $ne: [{ $ifNull: ["$deliveredAt", null] }, null] }, 1, 0] } },
          read: { $sum: { $cond: [{ $ne: [{ $ifNull: ["$readAt", null] }, null] }, 1, 0] } },
          replied: { $sum: { $cond: [{ $ne: [{ $ifNull: ["$repliedAt", null] }, null] }, 1, 0] } },
          clicked: { $sum: { $cond: [{ $ne: [{ $ifNull: ["$clickedAt", null] }, null] }, 1, 0] } },
          converted: { $sum: { $cond: [{ $ne: [{ $ifNull: ["$convertedAt", null] }, null] }, 1, 0] } },
        },
      },
    ])
    .toArray();
  const total = { ...emptyCounters(), costMicros: current.counters.costMicros };
  const byVariant: Record<string, FunnelCounters> = {};
  for (const r of rows) {
    const v = (byVariant[r._id.variant] ??= { ...emptyCounters(), costMicros: current.byVariant[r._id.variant]?.costMicros ?? 0 });
    for (const c of [total, v]) {
      c.targeted += r.n;
      if (r._id.status === "excluded") c.excluded += r.n;
      if (["queued", "sending", "rescheduled", "holdback"].includes(r._id.status)) c.pending += r.n;
      if (r._id.status === "sent") c.sent += r.n;
      if (r._id.status === "failed") c.failed += r.n;
      c.delivered += r.delivered;
      c.read += r.read;
      c.replied += r.replied;
      c.clicked += r.clicked;
      c.converted += r.converted;
    }
  }
  const now = new Date();
  const written = await db("campaigns").updateOne({ _id: campaignId, updatedAt: current.updatedAt }, { $set: { counters: total, byVariant, updatedAt: now, countedAt: now } });
  if (written.modifiedCount === 0) return false;
  if (total.pending === 0) {
    const done = await db("campaigns").findOneAndUpdate(
      { _id: campaignId, status: "sending" },
      { $set: { status: "completed", completedAt: now, updatedAt: now } },
      { returnDocument: "after", projection: { name: 1, status: 1, counters: 1, completedAt: 1 } },
    );
    if (done) await emitCampaignFinished(orgId, done);
  }
  return true;
}

/** `campaign.finished` for subscribers, once per completion (the id is the campaign's and its completion time's). */
export function emitCampaignFinished(orgId: ObjectId, c: Pick<CampaignDoc, "_id" | "name" | "status" | "counters" | "completedAt">): Promise<void> {
  return emitEvent(orgId, "campaign.finished", campaignData(c), { id: `evt_campaign_${c._id.toHexString()}_${c.completedAt?.getTime() ?? 0}` });
}
