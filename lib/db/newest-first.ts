import type { Document, ObjectId } from "mongodb";
import { BUCKET_MS, bucketOf, bucketStart, keyName, type BucketUnit } from "./time-keys";

/** Finest to coarsest; `null` is the last resort: everything older, without a bucket key. */
const LADDER: (BucketUnit | null)[] = ["hour", "day", "month", null];
/**
 * Documents one step should read at most, roughly: the next bucket is coarser when this one,
 * scaled up to the coarser size, stays under it, and finer when this one went over it.
 */
const STEP_DOCS = 100;
/** The last step (all older history) is taken only after a 30-day bucket with fewer than this. */
const SPARSE_MONTH = 4;
/** Buckets read in parallel at most. */
const MAX_BATCH = 4;
/** Times this far in the future still land in the first bucket read (clock skew between Meta and us). */
const SKEW_MS = 60_000;

export type Position = { at: Date; id: ObjectId | null };

export type NewestFirstResult<T> = {
  /** Newest first by (time, _id), at most `limit`; fewer only when the data or the budget ran out. */
  rows: T[];
  /**
   * Set when the query budget ran out before `limit` rows were found: every match newer than this
   * boundary is in `rows`, older ones may exist. The next page starts strictly before it.
   */
  stoppedAt: Position | null;
};

/** Whether (at, id) comes after position `p` in newest-first order (everything does when there is no `p`). */
export const isBefore = (at: Date, id: ObjectId, p: Position | null) =>
  !p || at < p.at || (at.getTime() === p.at.getTime() && p.id !== null && id.toHexString() < p.id.toHexString());

/** Newest-first order by (time, _id): the order of every walk and of the cursors built on it. */
export const newestFirstOrder =
  <T extends { _id: ObjectId }>(time: (doc: T) => Date) =>
  (a: T, b: T) =>
    time(b).getTime() - time(a).getTime() || (b._id.toHexString() < a._id.toHexString() ? -1 : 1);

/**
 * The newest `limit` documents of a filter, read one time bucket at a time (see `time-keys.ts`):
 * each step is an equality query on a bucket key (this hour, this day, these 30 days), which
 * FerretDB pushes down and MongoDB answers from an index, instead of one query that sorts the
 * whole organization. Sparse buckets move to coarser ones and dense ones to finer, so a quiet view
 * costs a handful of queries and a busy one reads about STEP_DOCS documents per step.
 * `run` receives the bucket filter to add to its own and returns what matched, in any order; give
 * it only what the database can push down and the rest as `accept`, so that the walk sees what
 * each bucket really costs (FerretDB decodes every document the pushed-down part matches).
 */
export async function newestFirst<T extends Document & { _id: ObjectId }>(opts: {
  run: (bucket: Document) => Promise<T[]>;
  prefix: string;
  time: (doc: T) => Date;
  /** The part of the filter evaluated here rather than in the database. */
  accept?: (doc: T) => boolean;
  limit: number;
  after: Position | null;
  /**
   * Query budget for reading dense buckets: past it, return what was found and where the walk
   * stopped (`stoppedAt`). Sparse buckets cost next to nothing to decode, so a walk that is still
   * moving to coarser ones continues to the last rung instead of stopping short of older matches.
   */
  maxQueries?: number;
  now?: Date;
}): Promise<NewestFirstResult<T>> {
  const maxQueries = opts.maxQueries ?? 24;
  const now = (opts.now ?? new Date()).getTime();
  const accept = opts.accept ?? (() => true);
  const rows: T[] = [];
  let upper: Position | null = opts.after;
  let level = 0;
  let batch = 1;
  for (let queries = 0; ; ) {
    const unit = LADDER[level]!;
    // The bucket holding the newest time still to read: the cursor's own time when it has an id
    // (rows at that instant with a smaller id remain), else the instant before the boundary.
    const probe = upper ? upper.at.getTime() - (upper.id ? 0 : 1) : now + SKEW_MS;
    if (!unit) {
      queries++;
      rows.push(...settle((await opts.run({})).filter(accept), upper, opts.time));
      return { rows: rows.slice(0, opts.limit), stoppedAt: null };
    }
    // Consecutive older buckets, read in parallel when the last round showed how many are needed.
    const newest = bucketOf(unit, new Date(probe));
    const buckets = Array.from({ length: Math.max(1, Math.min(batch, maxQueries - queries)) }, (_, i) => newest - i);
    queries += buckets.length;
    const results = await Promise.all(buckets.map((b) => opts.run({ [keyName(opts.prefix, unit)]: b })));
    let found = 0;
    let matched = 0;
    for (const [i, b] of buckets.entries()) {
      const fresh = settle(results[i]!.filter(accept), upper, opts.time);
      found += results[i]!.length;
      matched += fresh.length;
      rows.push(...fresh);
      upper = { at: bucketStart(unit, b), id: null };
      if (rows.length >= opts.limit) return { rows: rows.slice(0, opts.limit), stoppedAt: null };
    }
    // Density per unit of time actually covered (the newest bucket may have only just begun; +1
    // so that an empty stretch of a few minutes does not pass for a quiet month).
    const covered = Math.max(BUCKET_MS.minute, Math.min(now, bucketStart(unit, newest + 1).getTime()) - bucketStart(unit, newest - buckets.length + 1).getTime());
    const coarser = LADDER[level + 1];
    const estimate = coarser ? ((found + 1) * BUCKET_MS[coarser]) / covered : null;
    if (estimate !== null ? estimate <= STEP_DOCS : found < SPARSE_MONTH) {
      level++;
      batch = 1;
    } else if (queries >= maxQueries) {
      return { rows, stoppedAt: upper };
    } else {
      if (found / buckets.length > STEP_DOCS && level > 0) level--;
      // As many buckets as this round's yield says the rest of the page needs, up to MAX_BATCH.
      const perBucket = matched / buckets.length;
      batch = Math.min(MAX_BATCH, Math.max(1, Math.ceil((opts.limit - rows.length) / Math.max(perBucket, 0.5))));
    }
  }
}

/** The rows of one bucket still to return (strictly before `upper`), newest first. */
function settle<T extends Document & { _id: ObjectId }>(found: T[], upper: Position | null, time: (doc: T) => Date): T[] {
  return found.filter((d) => isBefore(time(d), d._id, upper)).sort(newestFirstOrder(time));
}
