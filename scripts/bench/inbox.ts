/**
 * npm run bench:inbox — the inbox's read paths on a production build, over HTTP with a real
 * session cookie.
 *
 * Starts the local database (scripts/lib/local-db.ts: MONGODB_URI if set, else a mongod from
 * mongodb-memory-server where one can be had, else mongo-java-server's memory backend), seeds one
 * organization with BENCH_CONVERSATIONS conversations (50,000) and BENCH_MESSAGES messages
 * (500,000) by bulk insert, builds (`NEXT_DIST_DIR=.next-bench-inbox next build`), then:
 * 1. round trips, on a server started with DB_COMMAND_LOG (lib/db/command-log.ts): each scenario's
 *    request sent a few times in a row, counting the database commands each one sends (the session
 *    re-check included). Floors (issue 9): list page ≤ 2, thread page ≤ 2, counts ≤ 5, live poll ≤ 2;
 * 2. latency, on a server without the log (command monitoring costs CPU): BENCH_SAMPLES sequential
 *    requests per scenario, p50/p95/p99. A floor (p95 < 150 ms) only against a real MongoDB
 *    (MONGODB_URI): the local engines scan every query, so their latency is reported, engine named.
 *
 * Env: BENCH_CONVERSATIONS, BENCH_MESSAGES, BENCH_SAMPLES (40 per scenario), BENCH_SKIP_BUILD=true
 * to reuse .next-bench-inbox, MONGODB_URI for another database.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ObjectId } from "mongodb";
import { encode } from "next-auth/jwt";
import type { Role } from "@/lib/schemas/common";
import { buildNext } from "../lib/next-process";
import { describeDb, freePort, startLocalDatabase } from "../lib/local-db";
import { onStop, percentile, runBench, startApp } from "./lib/app-server";
import { seedInbox } from "./lib/inbox-seed";

const ROOT = path.resolve(__dirname, "../..");
const DIST = ".next-bench-inbox";
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 50_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 500_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40);
const CALIBRATION_REQUESTS = 3;
const FLOOR_P95_MS = 150;

/** Round-trip floors per kind of request (issue 9); search has none of its own. */
const FLOORS = { list: 2, thread: 2, counts: 5, poll: 2, search: null } as const;
type Kind = keyof typeof FLOORS;

async function cookieFor(user: { _id: ObjectId; orgId: ObjectId; role: Role; name: string; email: string }) {
  const token = await encode({
    token: { uid: user._id.toHexString(), orgId: user.orgId.toHexString(), role: user.role, name: user.name, email: user.email, sub: user._id.toHexString() },
    secret: process.env.NEXTAUTH_SECRET!,
  });
  return `next-auth.session-token=${token}`;
}

const commandLines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).length : 0);

async function main(): Promise<boolean> {
  const dbServer = await startLocalDatabase({ persistent: false });
  onStop(dbServer.stop);
  const real = dbServer.engine === "external" || dbServer.engine === "mongodb-memory-server";
  const engine = dbServer.engine === "external" ? "the MongoDB at MONGODB_URI" : dbServer.engine === "mongo-java-server" ? "mongo-java-server 1.47 (memory backend)" : "mongod (mongodb-memory-server)";
  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  Object.assign(process.env, {
    MONGODB_URI: dbServer.uri,
    MONGODB_DB: `bench_inbox_${Date.now()}`,
    APP_URL: appUrl,
    NEXTAUTH_URL: appUrl,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "bench-secret-0123456789abcdef",
    LOG_LEVEL: "warn",
    NEXT_TELEMETRY_DISABLED: "1",
    // Recurring jobs would add their own commands to the log and compete for the cores.
    IN_PROCESS_SCHEDULER: "off",
  });
  delete process.env.DB_COMMAND_LOG;
  console.log(`[bench] database: ${describeDb(dbServer)}; seeding ${CONVERSATIONS} conversations and ${MESSAGES} messages...`);
  const data = await seedInbox(CONVERSATIONS, MESSAGES);
  const { closeClient } = await import("@/lib/db/client");
  await closeClient();

  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", NEXT_DIST_DIR: DIST };
  buildNext(DIST, env, { reuse: process.env.BENCH_SKIP_BUILD === "true", cwd: ROOT });

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

  // 1. Round trips, from the command log of a server that writes one.
  const logDir = mkdtempSync(path.join(os.tmpdir(), "bench-inbox-"));
  onStop(async () => rmSync(logDir, { recursive: true, force: true }));
  const log = path.join(logDir, "commands.jsonl");
  const logging = await startApp(appPort, { ...env, DB_COMMAND_LOG: log }, ROOT);
  const firstAll = (await get(admin, "/api/conversations?view=all")).body as { nextCursor: string };
  const thread = (await get(admin, `/api/conversations/${data.busiest.toHexString()}/messages?limit=5`)).body as { nextCursor: string | null };
  const since = new Date(Date.now() - 60_000).toISOString();
  const busiest = data.busiest.toHexString();
  const scenarios: { name: string; kind: Kind; cookie: string; url: string }[] = [
    { name: "list: All (supervisor view, first page)", kind: "list", cookie: admin, url: "/api/conversations?view=all" },
    { name: "list: Mine (agent)", kind: "list", cookie: agent, url: "/api/conversations?view=mine" },
    { name: "list: Unassigned (agent)", kind: "list", cookie: agent, url: "/api/conversations?view=unassigned" },
    { name: "list: AI-handled", kind: "list", cookie: admin, url: "/api/conversations?view=ai" },
    { name: "list: All, second page (cursor)", kind: "list", cookie: admin, url: `/api/conversations?view=all&cursor=${firstAll.nextCursor}` },
    { name: "list: live poll (updatedAfter)", kind: "poll", cookie: admin, url: `/api/conversations?view=all&updatedAfter=${encodeURIComponent(since)}` },
    { name: "search: contact name", kind: "search", cookie: admin, url: "/api/conversations?q=customer%2012345" },
    { name: "search: message text", kind: "search", cookie: admin, url: "/api/conversations?q=umbrella%20warranty" },
    { name: "thread: newest page", kind: "thread", cookie: admin, url: `/api/conversations/${busiest}/messages` },
    { name: "thread: older page (cursor)", kind: "thread", cookie: admin, url: `/api/conversations/${busiest}/messages?cursor=${thread.nextCursor ?? ""}` },
    { name: "thread: live poll (updatedAfter)", kind: "poll", cookie: admin, url: `/api/conversations/${busiest}/messages?updatedAfter=${encodeURIComponent(since)}` },
    { name: "counts (tabs + unread badge)", kind: "counts", cookie: agent, url: "/api/conversations/counts" },
  ];
  const roundTrips = new Map<string, number[]>();
  for (const s of scenarios) {
    const counts: number[] = [];
    for (let i = 0; i < CALIBRATION_REQUESTS; i++) {
      const before = commandLines(log);
      await get(s.cookie, s.url);
      counts.push(commandLines(log) - before);
    }
    roundTrips.set(s.name, counts);
  }
  if (commandLines(log) === 0) throw new Error("the app wrote no command log: is DB_COMMAND_LOG supported by lib/db/client.ts?");
  await logging.stop();

  // 2. Latency, on a server without the log.
  await startApp(appPort, env, ROOT);
  const rows: string[] = [];
  let tripsPass = true;
  let latencyPass = true;
  for (const s of scenarios) {
    for (let i = 0; i < 3; i++) await get(s.cookie, s.url);
    const times: number[] = [];
    for (let i = 0; i < SAMPLES; i++) times.push((await get(s.cookie, s.url)).ms);
    times.sort((a, b) => a - b);
    const [p50, p95, p99] = [50, 95, 99].map((p) => percentile(times, p).toFixed(1));
    const trips = roundTrips.get(s.name)!;
    const most = Math.max(...trips);
    const floor = FLOORS[s.kind];
    const tripsOk = floor === null || most <= floor;
    const latencyOk = percentile(times, 95) < FLOOR_P95_MS;
    tripsPass &&= tripsOk;
    latencyPass &&= latencyOk;
    const tripsText = trips.every((n) => n === most) ? String(most) : `${Math.min(...trips)}-${most}`;
    const tripsVerdict = floor === null ? "no floor" : `≤ ${floor}: ${tripsOk ? "PASS" : "FAIL"}`;
    rows.push(`| ${s.name} | ${p50} | ${p95} | ${p99} | ${real ? (latencyOk ? "PASS" : "FAIL") : "n/a"} | ${tripsText} | ${tripsVerdict} |`);
    console.log(`[bench] ${s.name}: p50 ${p50} ms, p95 ${p95} ms, p99 ${p99} ms; ${tripsText} database round trips per request (${tripsVerdict})`);
  }
  console.log(`\n${CONVERSATIONS} conversations, ${CONVERSATIONS * data.perConversation} messages, ${SAMPLES} sequential requests per scenario, database ${engine}\n`);
  console.log(`| scenario | p50 ms | p95 ms | p99 ms | p95 < ${FLOOR_P95_MS} ms | round trips | round-trip floor |\n| --- | --- | --- | --- | --- | --- | --- |`);
  console.log(rows.join("\n"));
  console.log(
    `\n[bench] round trips per request (every database command, the session re-check included): ${tripsPass ? "PASS" : "FAIL"}` +
      `\n[bench] latency: ${real ? `p95 < ${FLOOR_P95_MS} ms on every scenario: ${latencyPass ? "PASS" : "FAIL"}` : `reported only: ${engine} scans every query (no index use), so its latency is not Atlas latency`}`,
  );
  return tripsPass && (!real || latencyPass);
}

runBench(main);
