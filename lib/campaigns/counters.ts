import type { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";
import type { CampaignDoc, FunnelCounters, RecipientVariant } from "@/lib/schemas/campaign";

export type CounterDelta = Partial<Record<keyof FunnelCounters, number>>;

/**
 * The funnel counters move only here, by `$inc` on the campaign (total and per variant), and only
 * after a guarded transition of a recipient (an update whose filter holds the state it leaves), so
 * a redelivered webhook or a retried job never counts twice. One write per call.
 */
export async function bump(
  orgId: ObjectId,
  campaignId: ObjectId,
  changes: { variant: RecipientVariant; delta: CounterDelta; failedCode?: number }[],
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
    await campaigns.updateOne({ _id: campaignId, status: "sending", "counters.pending": { $lte: 0 } }, { $set: { status: "completed", completedAt: new Date(), updatedAt: new Date() } });
  }
  // A late 131049 put a recipient back in the queue after the last send: the campaign is not done yet.
  if (after && after.status === "completed" && after.counters.pending > 0) {
    await campaigns.updateOne({ _id: campaignId, status: "completed", "counters.pending": { $gt: 0 } }, { $set: { status: "sending", completedAt: null, updatedAt: new Date() } });
  }
  return after;
}
