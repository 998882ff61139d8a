import { ObjectId, type AnyBulkWriteOperation } from "mongodb";
import { z } from "zod";
import { scoped } from "@/lib/db/scoped";
import { defineJob } from "@/lib/jobs/define-job";
import { idString } from "@/lib/schemas/common";
import type { CampaignDoc, CampaignRecipientDoc, FunnelCounters, VariantKey } from "@/lib/schemas/campaign";
import { bump } from "./counters";
import { campaignMeta, dispatch } from "./dispatch";
import { renderValues } from "./recipient-rules";

const BATCH = 1_000;

/** The variant with the higher rate (replies or conversions per message sent); A on a tie. */
export function pickWinner(c: Pick<CampaignDoc, "winner" | "byVariant" | "variants">): { key: VariantKey; rates: Record<string, number> } {
  const metric = c.winner?.metric ?? "reply_rate";
  const rates: Record<string, number> = {};
  for (const v of c.variants) {
    const f: Partial<FunnelCounters> = c.byVariant[v.key] ?? {};
    const sent = f.sent ?? 0;
    rates[v.key] = sent === 0 ? 0 : (metric === "reply_rate" ? (f.replied ?? 0) : (f.converted ?? 0)) / sent;
  }
  const key = c.variants.reduce((best, v) => (rates[v.key]! > rates[best]! ? v.key : best), c.variants[0]!.key);
  return { key, rates };
}

/**
 * `campaign-winner` (enqueued with the rule's delay when sending starts): picks the winning variant
 * and gives it the holdback, whose messages are rendered for that template and dispatched. The
 * `winnerKey` is set once (conditional update), so a redelivery changes nothing.
 */
export const campaignWinnerJob = defineJob({
  name: "campaign-winner",
  schema: z.object({ orgId: idString, campaignId: idString }),
  async handle(p) {
    const orgId = new ObjectId(p.orgId);
    const db = scoped(orgId);
    const c = await db("campaigns").findOne({ _id: new ObjectId(p.campaignId) });
    if (!c || !c.winner) return { skipped: "no rule" };
    if (c.status === "paused") throw new Error("The campaign is paused; the winner is chosen when it resumes");
    if (c.status !== "sending") return { skipped: c.status };
    const { key, rates } = pickWinner(c);
    await db("campaigns").updateOne({ _id: c._id, winnerKey: null }, { $set: { winnerKey: key, updatedAt: new Date() } });
    const winnerKey = (await db("campaigns").findOne({ _id: c._id }, { projection: { winnerKey: 1 } }))!.winnerKey!;
    const variant = c.variants.find((v) => v.key === winnerKey)!;
    const meta = await campaignMeta(orgId, c._id);
    let moved = 0;
    for (;;) {
      const batch = await db("campaign_recipients").find({ campaignId: c._id, status: "holdback" }, { sort: { _id: 1 }, limit: BATCH }).toArray();
      if (batch.length === 0) break;
      const contacts = await db("contacts").find({ _id: { $in: batch.map((r) => r.contactId) } }).toArray();
      const byId = new Map(contacts.map((x) => [x._id.toHexString(), x]));
      const ops: AnyBulkWriteOperation<CampaignRecipientDoc>[] = batch.flatMap((r) => {
        const contact = byId.get(r.contactId.toHexString());
        if (!contact) return [];
        return [{ updateOne: { filter: { _id: r._id, status: "holdback" }, update: { $set: { status: "queued", variant: winnerKey, values: renderValues(variant, contact, r._id), updatedAt: new Date() } } } }];
      });
      const res = ops.length ? await db("campaign_recipients").bulkWrite(ops, { ordered: false }) : null;
      const n = res?.modifiedCount ?? 0;
      moved += n;
      // The holdback's recipients now count for the winner.
      await bump(orgId, c._id, [
        { variant: "holdback", delta: { targeted: -n, pending: -n } },
        { variant: winnerKey, delta: { targeted: n, pending: n } },
      ]);
      if (meta) await dispatch(orgId, meta, batch.map((r) => r._id), { round: "winner" });
      if (batch.length < BATCH) break;
    }
    return { winner: winnerKey, rates, moved };
  },
});
