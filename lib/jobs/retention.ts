import { ObjectId, type Document, type Filter } from "mongodb";
import { z } from "zod";
import { rawCollection, type Docs } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { log } from "@/lib/log";
import { defaultSettings } from "@/lib/schemas/settings";
import { defineJob } from "./define-job";
import { enqueueBatch } from "./enqueue";
import { getSettings } from "@/lib/settings/settings";

/** Small batches keep each delete short on a single-writer database; a run stops after MAX_BATCHES. */
const DEFAULT_BATCH = 500;
const MAX_BATCHES = 10;

type RetentionSetting = "webhookLogRetentionDays" | "jobLogRetentionDays" | "aiRunRetentionDays";

/** What expires, the time field it expires by, and the setting that says after how many days. */
const targets = [
  { name: "webhook_events", field: "receivedAt", days: "webhookLogRetentionDays" },
  { name: "workflow_executions", field: "startedAt", days: "jobLogRetentionDays" },
  { name: "ai_runs", field: "createdAt", days: "aiRunRetentionDays" },
  // Claims only matter while a delivery of the same ai-reply can still arrive (minutes, not days).
  { name: "ai_reply_claims", field: "createdAt", days: "jobLogRetentionDays" },
  // Public-API rate-limit windows and Idempotency-Key records matter for a minute and a day; on
  // Atlas a TTL index removes them sooner, here they go with the job records.
  { name: "api_rate_windows", field: "windowStart", days: "jobLogRetentionDays" },
  { name: "api_idempotency_keys", field: "createdAt", days: "jobLogRetentionDays" },
  // Outbound webhook delivery logs, like the job records they come from (Atlas's TTL index also drops them after 30 days).
  { name: "webhook_deliveries", field: "createdAt", days: "jobLogRetentionDays" },
  // Finished automation runs (a waiting run has no completedAt, so it stays however long it waits), and spent daily quotas.
  { name: "automation_runs", field: "completedAt", days: "jobLogRetentionDays" },
  { name: "automation_quotas", field: "expiresAt", days: "jobLogRetentionDays" },
] as const satisfies readonly { name: string; field: string; days: RetentionSetting }[];
type Target = (typeof targets)[number]["name"];

/** Deletes up to one batch older than `cutoff`; returns how many were deleted. */
async function purgeBatch<K extends Target>(orgId: ObjectId | null, name: K, field: string, cutoff: Date, limit: number): Promise<number> {
  type D = Docs[K] & Document;
  const old = { [field]: { $lt: cutoff } } as Filter<D>;
  if (orgId) {
    const col = scoped(orgId)(name);
    const ids = (await col.find(old, { projection: { _id: 1 }, limit }).toArray()).map((d) => d._id);
    if (ids.length) await col.deleteMany({ _id: { $in: ids } } as Filter<D>);
    return ids.length;
  }
  // Records no organization owns (webhook envelopes for unknown numbers, system jobs).
  const col = rawCollection(name);
  const ids = (await col.find({ ...old, orgId: null } as Filter<D>, { projection: { _id: 1 }, limit }).toArray()).map((d) => d._id);
  if (ids.length) await col.deleteMany({ _id: { $in: ids }, orgId: null } as Filter<D>);
  return ids.length;
}

/**
 * Retention as a job rather than TTL indexes (no local engine deletes by TTL, and a job can read
 * each organization's own periods): deletes webhook envelopes, job records and AI run logs older
 * than the organization's retention settings, in bounded batches, re-enqueuing itself while more remain. Without `orgId` it fans out: one run per organization plus one (`orgId: null`)
 * for records no organization owns, which keep the default retention.
 */
export const retentionJob = defineJob({
  name: "retention",
  schema: z.object({
    orgId: z.string().regex(/^[a-f\d]{24}$/i).nullable().optional(),
    /** Documents per delete; a run handles at most 10 batches per collection before re-enqueuing. */
    batchSize: z.number().int().min(1).max(5000).default(DEFAULT_BATCH),
  }),
  retries: 3,
  async handle({ orgId, batchSize }, ctx) {
    if (orgId === undefined) {
      const orgs = await rawCollection("organizations").find({}, { projection: { _id: 1 } }).toArray();
      const scopes = [...orgs.map((o) => o._id.toHexString()), null];
      // Keyed by this delivery: a redelivered fan-out enqueues nothing twice.
      await enqueueBatch(scopes.map((id) => ({ job: "retention", payload: { orgId: id, batchSize }, options: { deduplicationId: `retention:${ctx.messageId}:${id ?? "none"}` } })));
      return { fannedOut: scopes.length };
    }
    const oid = orgId === null ? null : new ObjectId(orgId);
    const periods = oid ? await getSettings(oid) : defaultSettings;
    const deleted: Record<string, number> = {};
    let more = false;
    for (const t of targets) {
      const cutoff = new Date(Date.now() - periods[t.days] * 24 * 3600 * 1000);
      let total = 0;
      for (let i = 0; i < MAX_BATCHES; i++) {
        const n = await purgeBatch(oid, t.name, t.field, cutoff, batchSize);
        total += n;
        if (n < batchSize) break;
        if (i === MAX_BATCHES - 1) more = true;
      }
      deleted[t.name] = total;
    }
    log.info("retention.purged", { orgId, deleted, more });
    if (more) await ctx.enqueue("retention", { orgId, batchSize });
    return { deleted, more };
  },
});
