/**
 * npm run bench:contacts — the contacts issue's measurements (issue 11), in process, on the local
 * database (scripts/lib/local-db.ts: MONGODB_URI if set, else mongodb-memory-server where a mongod
 * can be had, else mongo-java-server's memory backend).
 *
 * 1. Import: a generated CSV of BENCH_ROWS rows (100,000; 2% invalid phones, 5% repeats of an
 *    earlier row's phone written in another format) is uploaded with `createImport` and imported by
 *    `startImport` through the real `contact-import` job on the in-process driver, to "done".
 *    Floors: ≥ 2,000 rows/s, resident memory growth < 200 MB (sampled every 50 ms).
 * 2. Directory at that size: a segment count, its first page and the directory's first page,
 *    with wall time and database round trips (commands counted by lib/db/command-log.ts; the
 *    route adds one for the session check). Reported, no floor: the local engines scan.
 */
import { describeDb } from "../lib/local-db";
import { runBench } from "./lib/app-server";
import { startInProcessDatabase } from "./lib/in-process-db";

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const FLOOR_ROWS_PER_S = 2_000;
const FLOOR_RSS_MB = 200;
const INVALID = 0.02;
const REPEATS = 0.05;

/** Deterministic rows: phone i in E.164, every 20th a repeat of an earlier one as a national number, every 50th invalid. */
function generateCsv(rows: number): { csv: Buffer; invalid: number; repeats: number } {
  const lines = ["name,phone,email,company,tags,plan"];
  let invalid = 0;
  let repeats = 0;
  let distinct = 0;
  for (let i = 0; i < rows; i++) {
    if (i % Math.round(1 / INVALID) === 7) {
      invalid++;
      lines.push(`Broken ${i},12${i % 10},,Acme,,`);
      continue;
    }
    if (i % Math.round(1 / REPEATS) === 13 && distinct > 0) {
      repeats++;
      const earlier = (i * 7919) % distinct;
      const n = String(2_000_000 + earlier).padStart(7, "0");
      lines.push(`Again ${i},(415) ${n.slice(0, 3)}-${n.slice(3)},,Acme,,`);
      continue;
    }
    const n = String(2_000_000 + distinct++).padStart(7, "0");
    lines.push(`Person ${i},+1 415 ${n},person${i}@example.com,Company ${i % 500},${i % 3 === 0 ? "lead" : "customer"},${i % 2 ? "gold" : "silver"}`);
  }
  return { csv: Buffer.from(`${lines.join("\n")}\n`), invalid, repeats };
}

async function main(): Promise<boolean> {
  const { dbServer, commands } = await startInProcessDatabase("contacts");
  const { ensureIndexes } = await import("@/lib/db/indexes");
  const { ensureDefaultOrganization } = await import("@/lib/setup/default-organization");
  const { createUser } = await import("@/lib/team/users");
  const { createImport, startImport, getImportOrThrow } = await import("@/lib/contacts/import/imports");
  const { countSegment, previewSegment } = await import("@/lib/contacts/segments/run");
  const { listContacts } = await import("@/lib/contacts/directory");
  const { withCommandScope } = await import("@/lib/db/command-log");
  await ensureIndexes();
  const orgId = await ensureDefaultOrganization();
  const admin = await createUser(orgId, { email: `bench-contacts-${Date.now()}@example.com`, name: "Bench Admin", role: "admin", password: "bench-password-1", createdBy: null });
  const actor = { id: admin._id, name: admin.name };

  const { csv, invalid, repeats } = generateCsv(ROWS);
  console.log(`[bench] database: ${describeDb(dbServer)}; importing ${ROWS.toLocaleString("en")} rows (${(csv.byteLength / 1024 / 1024).toFixed(1)} MB, ${invalid} invalid, ${repeats} repeats)...`);
  const config = {
    mapping: [
      { column: "name", target: { kind: "field" as const, field: "name" as const } },
      { column: "phone", target: { kind: "field" as const, field: "phone" as const } },
      { column: "email", target: { kind: "field" as const, field: "email" as const } },
      { column: "company", target: { kind: "field" as const, field: "company" as const } },
      { column: "tags", target: { kind: "field" as const, field: "tags" as const } },
      { column: "plan", target: { kind: "custom" as const, key: "plan" } },
    ],
    options: { defaultCountry: "US" as const, onExisting: "update" as const, tags: ["bench"], listId: null, consentSource: null },
  };

  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  const uploaded = await createImport(orgId, actor, { filename: "bench.csv", bytes: csv });
  await startImport(orgId, actor, uploaded._id, config);
  let doc = await getImportOrThrow(orgId, uploaded._id);
  while (doc.status === "running" || doc.status === "uploaded") {
    await new Promise((r) => setTimeout(r, 200));
    doc = await getImportOrThrow(orgId, uploaded._id);
  }
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const growthMb = (peak - baseline) / 1024 / 1024;
  if (doc.status !== "done") throw new Error(`the import ended ${doc.status}: ${doc.error}`);
  const rate = ROWS / seconds;
  const p = doc.progress;
  console.log(`  import              ${ROWS.toLocaleString("en")} rows in ${seconds.toFixed(1)} s = ${Math.round(rate).toLocaleString("en")} rows/s (upload and job included)`);
  console.log(`  outcome             ${p.created} created, ${p.updated} updated, ${p.skipped} skipped (repeats), ${p.invalid} invalid`);
  console.log(`  resident memory     +${growthMb.toFixed(0)} MB at peak over ${(baseline / 1024 / 1024).toFixed(0)} MB before (the CSV itself is ${(csv.byteLength / 1024 / 1024).toFixed(1)} MB)`);

  // 2. The directory at this size, with round trips from the command log.
  const measure = async <T,>(name: string, fn: () => Promise<T>) => {
    const times: number[] = [];
    let trips = 0;
    let result: T | undefined;
    for (let i = 0; i < 5; i++) {
      const before = commands();
      const t = performance.now();
      result = await withCommandScope("route", fn);
      times.push(performance.now() - t);
      trips = commands() - before;
    }
    times.sort((a, b) => a - b);
    console.log(`  ${name.padEnd(34)} median ${times[2]!.toFixed(0)} ms, ${trips} round trip${trips === 1 ? "" : "s"} (+1 session check in the route)`);
    return result as T;
  };
  const segment = { match: "all" as const, conditions: [{ field: "tags", op: "has_any" as const, value: ["lead"] }, { field: "company", op: "starts_with" as const, value: "Company 1" }] };
  const count = await measure("segment count (tag and company)", () => countSegment(orgId, segment));
  await measure("segment preview, first 20", () => previewSegment(orgId, segment));
  await measure("directory first page (50, newest)", () => listContacts(orgId, { q: undefined, sort: "newest", limit: 50, definition: null }));
  await measure("directory first page, by name", () => listContacts(orgId, { q: undefined, sort: "name", limit: 50, definition: null }));
  await measure("directory search (one word)", () => listContacts(orgId, { q: "person", sort: "newest", limit: 50, definition: null }));
  console.log(`  segment size        ${count.toLocaleString("en")} contacts`);

  const { closeClient } = await import("@/lib/db/client");
  await closeClient();
  const expectedCreated = ROWS - invalid - repeats;
  const checks: [string, boolean][] = [
    [`rows/s >= ${FLOOR_ROWS_PER_S}: ${Math.round(rate)}`, rate >= FLOOR_ROWS_PER_S],
    [`resident memory growth < ${FLOOR_RSS_MB} MB: ${growthMb.toFixed(0)} MB`, growthMb < FLOOR_RSS_MB],
    [`every row accounted for: ${p.created} created of ${expectedCreated}, ${p.invalid} invalid of ${invalid}, ${p.skipped} repeats of ${repeats}`, p.created === expectedCreated && p.invalid === invalid && p.skipped === repeats],
  ];
  for (const [text, ok] of checks) console.log(`  ${ok ? "PASS" : "FAIL"}  ${text}`);
  console.log(JSON.stringify({ engine: dbServer.engine, rows: ROWS, seconds: Number(seconds.toFixed(1)), rowsPerSecond: Math.round(rate), rssGrowthMb: Number(growthMb.toFixed(0)), progress: p, segmentCount: count }));
  return checks.every(([, ok]) => ok);
}

runBench(main);
