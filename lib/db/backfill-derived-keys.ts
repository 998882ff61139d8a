import type { AnyBulkWriteOperation, Document } from "mongodb";
import { rawCollection, type CollectionName } from "./collections";
import { TIME_KEYS, keyName, withTimeKeys } from "./time-keys";

/**
 * Writes the derived keys (derived-keys.ts) on documents stored before they existed. Idempotent;
 * run by `npm run db:indexes` and `npm run dev`. Returns how many documents it updated.
 */
export async function backfillDerivedKeys(batch = 1000): Promise<number> {
  let updated = 0;
  const conversations = rawCollection("conversations");
  for (const assigned of [true, false]) {
    const res = await conversations.updateMany({ assigned: { $exists: false }, assigneeId: assigned ? { $ne: null } : null }, { $set: { assigned } });
    updated += res.modifiedCount;
  }
  for (const [name, specs] of Object.entries(TIME_KEYS)) {
    const col = rawCollection(name as CollectionName);
    for (const spec of specs) {
      const marker = keyName(spec.prefix, spec.units[0]!);
      for (;;) {
        const docs = await col.find({ [marker]: { $exists: false }, [spec.field]: { $type: "date" } }, { limit: batch, projection: { [spec.field]: 1 } }).toArray();
        if (docs.length === 0) break;
        const ops: AnyBulkWriteOperation<Document>[] = docs.map((d) => {
          const { _id, ...keys } = withTimeKeys(name, d as Document);
          delete keys[spec.field];
          return { updateOne: { filter: { _id }, update: { $set: keys } } };
        });
        await col.bulkWrite(ops as never, { ordered: false });
        updated += docs.length;
      }
    }
  }
  return updated;
}
