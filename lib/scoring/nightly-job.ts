import { ObjectId } from "mongodb";
import { z } from "zod";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { defineJob, type JobContext } from "@/lib/jobs/define-job";
import { enqueueBatch } from "@/lib/jobs/enqueue";
import { log } from "@/lib/log";
import { getSettings } from "@/lib/settings/settings";
import { IN_CHUNK, scoringContactProjection, type ScoringContact } from "./inputs";
import { rescoreContacts, type RescoreResult } from "./rescore";

const hexId = z.string().regex(/^[a-f\d]{24}$/i);
/** A run stops taking batches after this long and re-enqueues itself from where it stopped (serverless time limits). */
const RUN_BUDGET_MS = 240_000;

/**
 * `lead-scoring-nightly`: recomputes every contact's score, so decay moves scores of contacts who
 * went quiet (no event would otherwise touch them) and a weight change reaches everyone. Without
 * `orgId` it fans out one run per organization. A run walks the organization's contacts by `_id`
 * with one cursor, IN_CHUNK contacts at a time through rescoreContacts (its bulk writes), holding one
 * batch in memory; past its time budget it re-enqueues itself with the last `_id` as `after`.
 */
export const leadScoringNightlyJob = defineJob({
  name: "lead-scoring-nightly",
  schema: z.object({
    orgId: hexId.optional(),
    after: hexId.optional(),
    budgetMs: z.number().int().min(1).max(RUN_BUDGET_MS).default(RUN_BUDGET_MS),
  }),
  retries: 3,
  concurrency: 1,
  async handle({ orgId, after, budgetMs }, ctx) {
    if (!orgId) {
      const orgs = await rawCollection("organizations").find({}, { projection: { _id: 1 } }).toArray();
      // Keyed by this delivery: a redelivered fan-out enqueues nothing twice.
      await enqueueBatch(orgs.map((o) => ({ job: "lead-scoring-nightly", payload: { orgId: o._id.toHexString() }, options: { deduplicationId: `lead-scoring-nightly:${ctx.messageId}:${o._id.toHexString()}` } })));
      return { fannedOut: orgs.length };
    }
    return scoreOrganization(new ObjectId(orgId), { after: after ? new ObjectId(after) : undefined, budgetMs, enqueue: ctx.enqueue });
  },
});

type Options = { after?: ObjectId; budgetMs: number; enqueue?: JobContext["enqueue"] };

export async function scoreOrganization(orgId: ObjectId, opts: Options): Promise<RescoreResult & { batches: number; continuedAfter: string | null }> {
  const started = Date.now();
  const { leadScoring } = await getSettings(orgId);
  const now = new Date();
  const total: RescoreResult & { batches: number; continuedAfter: string | null } = { scored: 0, changed: 0, locked: 0, skipped: 0, batches: 0, continuedAfter: null };
  const cursor = scoped(orgId)("contacts").find(opts.after ? { _id: { $gt: opts.after } } : {}, { sort: { _id: 1 }, projection: scoringContactProjection, batchSize: IN_CHUNK });
  let batch: ScoringContact[] = [];
  const flush = async () => {
    const r = await rescoreContacts(orgId, batch, leadScoring, now);
    total.scored += r.scored;
    total.changed += r.changed;
    total.locked += r.locked;
    total.skipped += r.skipped;
    total.batches++;
    batch = [];
  };
  try {
    for await (const c of cursor) {
      batch.push(c as ScoringContact);
      if (batch.length < IN_CHUNK) continue;
      const last = batch.at(-1)!._id;
      await flush();
      if (Date.now() - started > opts.budgetMs && opts.enqueue) {
        total.continuedAfter = last.toHexString();
        break;
      }
    }
  } finally {
    await cursor.close();
  }
  if (total.continuedAfter) {
    await opts.enqueue!(
      "lead-scoring-nightly",
      { orgId: orgId.toHexString(), after: total.continuedAfter, budgetMs: opts.budgetMs },
      { deduplicationId: `lead-scoring-nightly:${orgId.toHexString()}:${total.continuedAfter}` },
    );
  } else if (batch.length) await flush();
  log.info("scoring.nightly_run", { orgId: orgId.toHexString(), ...total, ms: Date.now() - started });
  return total;
}
