import type { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";
import { enqueueBatch, type EnqueueItem } from "@/lib/jobs/enqueue";
import type { CampaignDoc } from "@/lib/schemas/campaign";

/**
 * How sends are paced. A send job carries up to `batchSize` recipients and reserves its moment on
 * the number's shared schedule when it sends (lib/messaging/send-pacer.ts), so the number stays
 * under its throughput whatever the jobs' timing, while each job costs a fixed number of database
 * round trips whatever its size. Ten batches a second keeps each burst within a tenth of a second.
 */
export const STARTS_PER_SECOND = 10;
export const MAX_BATCH = 100;
/**
 * QStash flow control (key `wa-send:<number>`) only keeps jobs coming: its rate is set this much
 * above the batches' own because a delivery that fails (a crashed instance, a 5xx) still used a
 * start, and at exactly the batch rate every failure would set the whole campaign back. The
 * parallelism caps how far ahead of its reserved moment a job can be waiting (about two seconds).
 */
export const FLOW_HEADROOM = 1.5;

export function pacing(ratePerSecond: number): { batchSize: number; startsPerSecond: number } {
  const batchSize = Math.max(1, Math.min(MAX_BATCH, Math.floor(ratePerSecond / STARTS_PER_SECOND)));
  return { batchSize, startsPerSecond: Math.max(1, Math.floor(ratePerSecond / batchSize)) };
}

/** Per-process cache of what the send path needs of a campaign (the status is always read fresh). */
type CampaignMeta = Pick<CampaignDoc, "_id" | "accountId" | "ratePerSecond" | "variants" | "conversion"> & { phoneNumberId: string; marketingMessagesApi: boolean };
const metaCache = new Map<string, { value: CampaignMeta; until: number }>();

export async function campaignMeta(orgId: ObjectId, campaignId: ObjectId): Promise<CampaignMeta | null> {
  const key = campaignId.toHexString();
  const hit = metaCache.get(key);
  if (hit && hit.until > Date.now()) return hit.value;
  const db = scoped(orgId);
  const c = await db("campaigns").findOne({ _id: campaignId }, { projection: { accountId: 1, ratePerSecond: 1, variants: 1, conversion: 1 } });
  if (!c) return null;
  const account = await db("whatsapp_accounts").findOne({ _id: c.accountId }, { projection: { phoneNumberId: 1, marketingMessagesApi: 1 } });
  const value: CampaignMeta = { ...c, phoneNumberId: account?.phoneNumberId ?? "unknown", marketingMessagesApi: account?.marketingMessagesApi === true };
  metaCache.set(key, { value, until: Date.now() + 10_000 });
  return value;
}

/**
 * Enqueues send jobs for recipients, in pacing-sized batches. `round` tells a re-dispatch (resume,
 * retry) from the first one, so QStash's deduplication drops only true duplicates; a recipient
 * dispatched twice is still sent once (the claim).
 */
export async function dispatch(
  orgId: ObjectId,
  campaign: Pick<CampaignMeta, "_id" | "ratePerSecond" | "phoneNumberId">,
  recipientIds: ObjectId[],
  opts: { round: string; delaySeconds?: number },
): Promise<void> {
  const { batchSize, startsPerSecond } = pacing(campaign.ratePerSecond);
  const items: EnqueueItem[] = [];
  for (let i = 0; i < recipientIds.length; i += batchSize) {
    const ids = recipientIds.slice(i, i + batchSize).map((id) => id.toHexString());
    items.push({
      job: "campaign-send",
      payload: { orgId: orgId.toHexString(), campaignId: campaign._id.toHexString(), recipientIds: ids },
      options: {
        deduplicationId: `campaign-send-${ids[0]}-${ids.length}-${opts.round}`,
        flowControl: { key: `wa-send:${campaign.phoneNumberId}`, rate: Math.ceil(startsPerSecond * FLOW_HEADROOM), periodSeconds: 1, parallelism: Math.max(4, startsPerSecond * 2) },
        ...(opts.delaySeconds ? { delaySeconds: Math.ceil(opts.delaySeconds) } : {}),
      },
    });
  }
  // enqueueBatch publishes 100 per QStash call.
  for (let i = 0; i < items.length; i += 500) await enqueueBatch(items.slice(i, i + 500));
}
