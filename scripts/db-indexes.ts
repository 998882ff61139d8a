/**
 * npm run db:indexes: makes the indexes exactly the declared ones, then migrates documents written
 * by earlier versions (after the drops, so the obsolete indexes are not maintained while fields go),
 * and prints what it did. Safe to run twice.
 */
import { closeClient } from "@/lib/db/client";
import { ensureIndexes } from "@/lib/db/indexes";
import { migrate } from "@/lib/db/migrations";

async function main() {
  const report = await ensureIndexes();
  for (const r of report) console.log(`${r.action.padEnd(8)}  ${r.collection}.${r.name}${r.unique ? "  (unique)" : ""}`);
  const n = (action: string) => report.filter((r) => r.action === action).length;
  const declared = report.filter((r) => r.action !== "dropped");
  console.log(
    `[db:indexes] ${declared.length} indexes, ${n("created")} created, ${n("replaced")} replaced, ${n("dropped")} dropped, ${declared.filter((r) => r.unique).length} unique`,
  );
  for (const m of await migrate()) console.log(`[db:indexes] migration: ${m.collection}: removed ${m.fields.join(", ")} from ${m.updated} documents`);
}

main()
  .catch((err) => {
    console.error(`[db:indexes] failed: ${err instanceof Error ? err.message : err}`);
    process.exitCode = 1;
  })
  .finally(() => closeClient());
