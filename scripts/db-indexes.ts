/** npm run db:indexes: creates every declared index idempotently, backfills derived keys, and prints what it did. */
import { backfillDerivedKeys } from "@/lib/db/backfill-derived-keys";
import { closeClient } from "@/lib/db/client";
import { ensureIndexes } from "@/lib/db/indexes";

ensureIndexes()
  .then(async (report) => {
    for (const r of report) {
      console.log(`${r.created ? "created" : "exists "}  ${r.collection}.${r.name}${r.unique ? "  (unique)" : ""}`);
    }
    const created = report.filter((r) => r.created).length;
    console.log(`[db:indexes] ${report.length} indexes, ${created} created, ${report.filter((r) => r.unique).length} unique`);
    console.log(`[db:indexes] derived keys (time buckets, assigned) written on ${await backfillDerivedKeys()} older documents`);
  })
  .catch((err) => {
    console.error(`[db:indexes] failed: ${err instanceof Error ? err.message : err}`);
    process.exitCode = 1;
  })
  .finally(() => closeClient());
