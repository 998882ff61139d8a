import { ObjectId } from "mongodb";
import { z } from "zod";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { defineJob, type JobContext } from "@/lib/jobs/define-job";
import { enqueueBatch } from "@/lib/jobs/enqueue";
import { log } from "@/lib/log";
import { getSettings } from "@/lib/settings/settings";
import {
  assembleInputs,
  IN_CHUNK,
  scoringClickProjection,
  scoringContactProjection,
  scoringMessageProjection,
  sinceFor,
  type ScoringClickRow,
  type ScoringContact,
  type ScoringMessageRow,
} from "./inputs";
import { currentScoreProjection, writeScores, type CurrentScore, type RescoreResult } from "./rescore";

const hexId = z.string().regex(/^[a-f\d]{24}$/i);
/** A run stops taking batches after this long and re-enqueues itself from where it stopped (serverless time limits). */
const RUN_BUDGET_MS = 240_000;

/**
 * `lead-scoring-nightly`: recomputes every contact's score, so decay moves scores of contacts who
 * went quiet (no event would otherwise touch them) and a weight change reaches everyone. Without
 * `orgId` it fans out one run per organization. A run walks the organization's contacts in `_id`
 * order (scoreOrganization), holding one batch in memory; past its time budget it re-enqueues
 * itself with the last `_id` as `after`.
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

const hex = (id: ObjectId) => id.toHexString();

/**
 * Rows of a cursor sorted by contactId, taken batch by batch: `upTo(last)` returns the rows whose
 * contactId is at most `last` and keeps the first row past it for the next batch. With the contacts
 * walked by `_id` in the same order, this is a merge join: each row is read once.
 */
function byContact<T extends { contactId: ObjectId }>(rows: AsyncIterable<T>) {
  const it = rows[Symbol.asyncIterator]();
  let pending: T | null = null;
  let done = false;
  return async function upTo(last: ObjectId): Promise<T[]> {
    const out: T[] = [];
    for (;;) {
      if (!pending) {
        if (done) return out;
        const next = await it.next();
        if (next.done) {
          done = true;
          return out;
        }
        pending = next.value;
      }
      // Same-length hex strings compare as the ObjectIds' bytes, MongoDB's order.
      if (hex(pending.contactId) > hex(last)) return out;
      out.push(pending);
      pending = null;
    }
  };
}

/**
 * One organization's contacts from `after` on: four cursors in contact order (contacts by `_id`,
 * their messages within the lookback by `(contactId, sentAt)`, their current scores by
 * `contactId`, their recent link clicks by `(contactId, clickedAt)`), merged batch by batch, so
 * every row is read once and memory holds one batch of IN_CHUNK contacts; per batch, assembleInputs'
 * read of the analyses (by the unique conversation key) and writeScores' two bulk writes.
 */
export async function scoreOrganization(orgId: ObjectId, opts: Options): Promise<RescoreResult & { batches: number; continuedAfter: string | null }> {
  const started = Date.now();
  const db = scoped(orgId);
  const { leadScoring } = await getSettings(orgId);
  const now = new Date();
  const since = sinceFor(leadScoring, now);
  const total: RescoreResult & { batches: number; continuedAfter: string | null } = { scored: 0, changed: 0, locked: 0, skipped: 0, batches: 0, continuedAfter: null };
  const after = opts.after ? { $gt: opts.after } : null;
  const contacts = db("contacts").find(after ? { _id: after } : {}, { sort: { _id: 1 }, projection: scoringContactProjection, batchSize: IN_CHUNK });
  const messages = db("messages").find(after ? { contactId: after, sentAt: { $gte: since } } : { sentAt: { $gte: since } }, {
    sort: { contactId: 1, sentAt: 1 },
    projection: scoringMessageProjection,
    batchSize: IN_CHUNK * 10,
  });
  const scores = db("lead_scores").find(after ? { contactId: after } : {}, { sort: { contactId: 1 }, projection: currentScoreProjection, batchSize: IN_CHUNK });
  const clicks = db("campaign_recipients").find(after ? { contactId: after, clickedAt: { $gte: since } } : { clickedAt: { $gte: since } }, {
    sort: { contactId: 1, clickedAt: 1 },
    projection: scoringClickProjection,
    batchSize: IN_CHUNK,
  });
  const messagesUpTo = byContact(messages as unknown as AsyncIterable<ScoringMessageRow>);
  const scoresUpTo = byContact(scores as unknown as AsyncIterable<CurrentScore>);
  const clicksUpTo = byContact(clicks as unknown as AsyncIterable<ScoringClickRow>);
  let batch: ScoringContact[] = [];
  const flush = async () => {
    const last = batch.at(-1)!._id;
    const [rows, existing, clicked] = await Promise.all([messagesUpTo(last), scoresUpTo(last), clicksUpTo(last)]);
    const live = batch.filter((c) => !c.erasedAt);
    const r = await writeScores(orgId, batch, await assembleInputs(orgId, live, rows, since, clicked), existing, leadScoring, now);
    total.scored += r.scored;
    total.changed += r.changed;
    total.locked += r.locked;
    total.skipped += r.skipped;
    total.batches++;
    batch = [];
    return last;
  };
  try {
    for await (const c of contacts) {
      batch.push(c as ScoringContact);
      if (batch.length < IN_CHUNK) continue;
      const last = await flush();
      if (Date.now() - started > opts.budgetMs && opts.enqueue) {
        total.continuedAfter = hex(last);
        break;
      }
    }
    if (!total.continuedAfter && batch.length) await flush();
  } finally {
    await Promise.all([contacts.close(), messages.close(), scores.close(), clicks.close()]);
  }
  if (total.continuedAfter) {
    await opts.enqueue!(
      "lead-scoring-nightly",
      { orgId: hex(orgId), after: total.continuedAfter, budgetMs: opts.budgetMs },
      { deduplicationId: `lead-scoring-nightly:${hex(orgId)}:${total.continuedAfter}` },
    );
  }
  log.info("scoring.nightly_run", { orgId: hex(orgId), ...total, ms: Date.now() - started });
  return total;
}
