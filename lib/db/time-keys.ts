import type { Document } from "mongodb";

/**
 * Time buckets as equality keys. The inbox reads "newest first" lists (conversations by activity,
 * messages by time); on MongoDB a compound index answers that with a bounded index scan, but
 * FerretDB v1 pushes down only top-level equalities and sorts in Go after decoding every document
 * that matched, so `{ orgId }` sorted by time decodes the whole organization. With these keys a
 * list reads one bucket at a time (this hour, then this day, ...; see `newestFirst`), each one an
 * equality FerretDB pushes down and MongoDB serves from an index. The data layer writes them
 * (`scoped` derives them from the time field on every insert and update), so no caller can forget.
 */
export const BUCKET_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000, month: 30 * 86_400_000 } as const;
export type BucketUnit = keyof typeof BUCKET_MS;

export const bucketOf = (unit: BucketUnit, at: Date) => Math.floor(at.getTime() / BUCKET_MS[unit]);
export const bucketStart = (unit: BucketUnit, bucket: number) => new Date(bucket * BUCKET_MS[unit]);

type TimeKeySpec = { field: string; prefix: string; units: readonly BucketUnit[] };

/** Which time field of which collection carries which bucket keys (field name = prefix + Unit). */
export const TIME_KEYS: Record<string, readonly TimeKeySpec[]> = {
  conversations: [
    { field: "lastActivityAt", prefix: "activity", units: ["hour", "day", "month"] },
    // Live polls ask "what changed in the last seconds": one or two minute buckets.
    { field: "updatedAt", prefix: "updated", units: ["minute"] },
  ],
  messages: [{ field: "sentAt", prefix: "sent", units: ["hour", "day", "month"] }],
};

export const keyName = (prefix: string, unit: BucketUnit) => `${prefix}${unit[0]!.toUpperCase()}${unit.slice(1)}`;

/** The bucket keys of one time field's value (nothing when the value is not a date). */
function keysFor(spec: TimeKeySpec, at: unknown): Document | null {
  if (!(at instanceof Date)) return null;
  return Object.fromEntries(spec.units.map((u) => [keyName(spec.prefix, u), bucketOf(u, at)]));
}

/** The document with its bucket keys (inserts and replacements). */
export function withTimeKeys<T extends Document>(collection: string, doc: T): T {
  let out: Document = doc;
  for (const spec of TIME_KEYS[collection] ?? []) {
    const keys = keysFor(spec, doc[spec.field]);
    if (keys) out = { ...out, ...keys };
  }
  return out as T;
}

/**
 * The update with bucket keys next to their time field: `$set` sets them, `$max`/`$min` apply the
 * same operator (a bucket number is monotonic in its time, so max of buckets = bucket of the max).
 * Pipeline updates are not used by this app and pass through unchanged.
 */
export function withTimeKeysUpdate<T>(collection: string, update: T): T {
  if (!update || Array.isArray(update) || typeof update !== "object") return update;
  const out: Document = { ...(update as Document) };
  for (const op of ["$set", "$max", "$min", "$setOnInsert"] as const) {
    const fields = out[op] as Document | undefined;
    if (!fields) continue;
    let next = fields;
    for (const spec of TIME_KEYS[collection] ?? []) {
      const keys = keysFor(spec, fields[spec.field]);
      if (keys) next = { ...next, ...keys };
    }
    out[op] = next;
  }
  return out as T;
}
