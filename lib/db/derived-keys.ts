import type { Document } from "mongodb";
import { withTimeKeys, withTimeKeysUpdate } from "./time-keys";

/**
 * Fields derived from others so that FerretDB can push a filter down (it pushes top-level
 * equalities on strings, numbers, booleans and ids, never `null`): time buckets (`time-keys.ts`)
 * and, on conversations, `assigned` (= `assigneeId` is set), which the Unassigned view filters on.
 * `scoped` applies these to every insert and update; `backfillDerivedKeys` to older documents.
 */
export function withDerivedKeys<T extends Document>(collection: string, doc: T): T {
  const keyed = withTimeKeys(collection, doc);
  return collection === "conversations" && "assigneeId" in doc ? { ...keyed, assigned: doc.assigneeId != null } : keyed;
}

export function withDerivedKeysUpdate<T>(collection: string, update: T): T {
  const keyed = withTimeKeysUpdate(collection, update) as Document;
  if (collection !== "conversations" || !keyed || Array.isArray(keyed) || typeof keyed !== "object") return keyed as T;
  for (const op of ["$set", "$setOnInsert"] as const) {
    const fields = keyed[op] as Document | undefined;
    if (fields && "assigneeId" in fields) keyed[op] = { ...fields, assigned: fields.assigneeId != null };
  }
  return keyed as T;
}
