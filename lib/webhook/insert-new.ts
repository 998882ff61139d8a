import { MongoBulkWriteError, type BulkWriteOptions, type InsertManyResult } from "mongodb";

type Inserter<D> = { insertMany(docs: D[], options?: BulkWriteOptions): Promise<InsertManyResult> };

/**
 * Inserts what is new and reports which documents were already stored (duplicate key 11000), in
 * one round trip: `ordered: false` keeps going past duplicates. Any other write error is thrown.
 */
export async function insertNew<D>(collection: Inserter<D>, docs: D[]): Promise<{ duplicates: Set<number> }> {
  const duplicates = new Set<number>();
  if (docs.length === 0) return { duplicates };
  try {
    await collection.insertMany(docs, { ordered: false });
  } catch (err) {
    if (!(err instanceof MongoBulkWriteError)) throw err;
    const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
    for (const e of errors) {
      if (e.code !== 11000) throw err;
      duplicates.add(e.index);
    }
  }
  return { duplicates };
}
