/**
 * npm run bench:inbox — the inbox's read paths on a production build: seeds an organization with
 * BENCH_CONVERSATIONS conversations (50,000) and BENCH_MESSAGES messages (500,000) by bulk insert,
 * builds and starts the app (NEXT_DIST_DIR=.next-bench-inbox), then times the list and thread API
 * routes over HTTP with a real session cookie: p50/p95/p99 per scenario. Floor: p95 < 150 ms.
 *
 * Options (env): BENCH_CONVERSATIONS, BENCH_MESSAGES, BENCH_SAMPLES (40 per scenario),
 * BENCH_SKIP_BUILD=true to reuse .next-bench-inbox, MONGODB_URI to run against another database.
 * Database: FerretDB on PostgreSQL when Debian's postgresql is installed (else SQLite), with
 * `indexForPushdown` (see scripts/bench/lib/ferretdb-metrics.ts).
 */
import { onStop, percentile, runBench, startApp } from "./lib/app-server";
import { buildNext } from "../lib/next-process";
import path from "node:path";
import type { ObjectId } from "mongodb";
import { seedInbox } from "./lib/inbox-seed";
import { encode } from "next-auth/jwt";
import type { Role } from "@/lib/schemas/common";
import { freePort } from "../lib/local-db";
import { startBenchDb } from "./lib/ferretdb-metrics";

const ROOT = path.resolve(__dirname, "../..");
const DIST = ".next-bench-inbox";
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 50_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 500_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40);
const FLOOR_P95_MS = 150;


async function cookieFor(user: { _id: ObjectId; orgId: ObjectId; role: Role; name: string; email: string }) {
  const token = await encode({
    token: { uid: user._id.toHexString(), orgId: user.orgId.toHexString(), role: user.role, name: user.name, email: user.email, sub: user._id.toHexString() },
    secret: process.env.NEXTAUTH_SECRET!,
  });
  return `next-auth.session-token=${token}`;
}

async function main(): Promise<boolean> {
  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  const external = process.env.MONGODB_URI;
  const bench = external ? null : await startBenchDb();
  const db = bench ? { uri: bench.uri, engine: `FerretDB v1.24 on ${bench.backend}` } : { uri: external!, engine: "the database at MONGODB_URI" };
  if (bench) onStop(bench.stop);
  Object.assign(process.env, {
    MONGODB_URI: db.uri,
    MONGODB_DB: `bench_inbox_${Date.now()}`,
    APP_URL: appUrl,
    NEXTAUTH_URL: appUrl,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "bench-secret-0123456789abcdef",
    LOG_LEVEL: "warn",
    NEXT_TELEMETRY_DISABLED: "1",
  });
  console.log(`[bench] database ${db.engine} (${db.uri}), seeding ${CONVERSATIONS} conversations and ${MESSAGES} messages...`);
  const data = await seedInbox(CONVERSATIONS, MESSAGES);
  if (bench) {
    const t = Date.now();
    bench.indexForPushdown(process.env.MONGODB_DB!);
    console.log(`[bench] pushdown indexes (${bench.backend}) in ${Math.round((Date.now() - t) / 1000)} s`);
  }
  const { closeClient } = await import("@/lib/db/client");
  await closeClient();

  const env = { ...process.env, NEXT_DIST_DIR: DIST };
  buildNext(DIST, env, { reuse: process.env.BENCH_SKIP_BUILD === "true", cwd: ROOT });
  await startApp(appPort, env, ROOT);

  const admin = await cookieFor(data.admin);
  const agent = await cookieFor(data.agent);
  const get = async (cookie: string, url: string) => {
    const t = performance.now();
    const res = await fetch(`${appUrl}${url}`, { headers: { cookie } });
    const body = await res.json();
    const ms = performance.now() - t;
    if (!res.ok) throw new Error(`${url} answered ${res.status}: ${JSON.stringify(body)}`);
    return { ms, body };
  };
  const firstAll = (await get(admin, "/api/conversations?view=all")).body as { nextCursor: string; serverTime: string };
  const thread = (await get(admin, `/api/conversations/${data.busiest.toHexString()}/messages?limit=5`)).body as { nextCursor: string | null };
  const since = new Date(Date.now() - 60_000).toISOString();

  const scenarios: { name: string; cookie: string; url: string; main: boolean }[] = [
    { name: "list: All (supervisor view, first page)", cookie: admin, url: "/api/conversations?view=all", main: true },
    { name: "list: Mine (agent)", cookie: agent, url: "/api/conversations?view=mine", main: true },
    { name: "list: Unassigned (agent)", cookie: agent, url: "/api/conversations?view=unassigned", main: true },
    { name: "list: AI-handled", cookie: admin, url: "/api/conversations?view=ai", main: true },
    { name: "list: All, second page (cursor)", cookie: admin, url: `/api/conversations?view=all&cursor=${firstAll.nextCursor}`, main: true },
    { name: "list: live poll (updatedAfter)", cookie: admin, url: `/api/conversations?view=all&updatedAfter=${encodeURIComponent(since)}`, main: true },
    { name: "search: contact name", cookie: admin, url: "/api/conversations?q=customer%2012345", main: true },
    { name: "search: message text", cookie: admin, url: "/api/conversations?q=umbrella%20warranty", main: true },
    { name: "thread: newest page", cookie: admin, url: `/api/conversations/${data.busiest.toHexString()}/messages`, main: true },
    { name: "thread: older page (cursor)", cookie: admin, url: `/api/conversations/${data.busiest.toHexString()}/messages?cursor=${thread.nextCursor ?? ""}`, main: true },
    { name: "thread: live poll (updatedAfter)", cookie: admin, url: `/api/conversations/${data.busiest.toHexString()}/messages?updatedAfter=${encodeURIComponent(since)}`, main: true },
    { name: "counts (tabs + unread badge)", cookie: agent, url: "/api/conversations/counts", main: false },
  ];

  const rows: string[] = [];
  let pass = true;
  for (const s of scenarios) {
    for (let i = 0; i < (s.main ? 3 : 1); i++) await get(s.cookie, s.url);
    const times: number[] = [];
    // Scenarios outside the floor get a few samples: on FerretDB the counts take seconds each.
    for (let i = 0; i < (s.main ? SAMPLES : Math.min(SAMPLES, 5)); i++) times.push((await get(s.cookie, s.url)).ms);
    times.sort((a, b) => a - b);
    const [p50, p95, p99] = [50, 95, 99].map((p) => percentile(times, p).toFixed(1));
    const ok = percentile(times, 95) < FLOOR_P95_MS;
    if (s.main && !ok) pass = false;
    rows.push(`| ${s.name} | ${p50} | ${p95} | ${p99} | ${s.main ? (ok ? "yes" : "NO") : "n/a"} |`);
    console.log(`[bench] ${s.name}: p50 ${p50} ms, p95 ${p95} ms, p99 ${p99} ms`);
  }
  console.log(`\n${CONVERSATIONS} conversations, ${CONVERSATIONS * data.perConversation} messages, ${SAMPLES} sequential requests per scenario, database ${db.engine}\n`);
  console.log("| scenario | p50 ms | p95 ms | p99 ms | p95 < 150 ms |\n| --- | --- | --- | --- | --- |");
  console.log(rows.join("\n"));
  console.log(`\n[bench] floor (p95 < ${FLOOR_P95_MS} ms on every list/thread/search scenario): ${pass ? "PASS" : "FAIL"}`);
  return pass;
}

runBench(main);
