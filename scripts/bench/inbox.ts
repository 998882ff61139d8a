/**
 * npm run bench:inbox — the inbox's read paths on a production build, over HTTP with a real
 * session cookie.
 *
 * Starts the local database (scripts/lib/local-db.ts: MONGODB_URI if set, else a mongod from
 * mongodb-memory-server where one can be had, else mongo-java-server's memory backend) and builds
 * (`NEXT_DIST_DIR=.next-bench-inbox next build`). Two data sets, one after the other in a fresh
 * database:
 * A. the demo data (scripts/seed/demo-data.ts, its own fresh organization): the `/inbox` page (the
 *    full HTML document, streamed, and its first byte) and the counts route, as a person opening the
 *    inbox sees them;
 * B. then BENCH_CONVERSATIONS conversations (50,000) and BENCH_MESSAGES messages (500,000) by bulk
 *    insert into that organization: the same two, every list, search and thread scenario.
 * For each data set:
 * 1. round trips, on a server started with DB_COMMAND_LOG (lib/db/command-log.ts): each scenario's
 *    request sent a few times in a row, counting the database commands each one sends (the session
 *    re-check included). Floors (issue 9, issue 16): list page ≤ 2, thread page ≤ 2, counts ≤ 2,
 *    live poll ≤ 2, the /inbox page ≤ 4 (session, list, counts, assignees), an action (assign,
 *    resolve/reopen, priority) ≤ 5 (session, read, conditional write, thread line and audit entry);
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
import { onStop, percentile, runBench, startApp, setAppEnv } from "./lib/app-server";
import { seedInbox } from "./lib/inbox-seed";

const ROOT = path.resolve(__dirname, "../..");
const DIST = ".next-bench-inbox";
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 50_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 500_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40);
const CALIBRATION_REQUESTS = 3;
const FLOOR_P95_MS = 150;

/** Round-trip floors per kind of request (issues 9 and 16); search has none of its own. */
const FLOORS = { list: 2, thread: 2, counts: 2, poll: 2, page: 4, action: 5, search: null } as const;
type Kind = keyof typeof FLOORS;
/** An action (`method` + `bodies`) sends its bodies in turn (resolve, reopen, resolve...), so every request changes something. */
type Scenario = { name: string; kind: Kind; cookie: string; url: string; method?: "PUT" | "PATCH"; bodies?: unknown[]; sent?: number };
type Timed = { ms: number; firstByteMs: number; body: unknown };

async function cookieFor(user: { _id: ObjectId; orgId: ObjectId; role: Role; name: string; email: string }) {
  const token = await encode({
    token: { uid: user._id.toHexString(), orgId: user.orgId.toHexString(), role: user.role, name: user.name, email: user.email, sub: user._id.toHexString() },
    secret: process.env.NEXTAUTH_SECRET!,
  });
  return `next-auth.session-token=${token}`;
}

/** Commands the requests sent: a job an action enqueued (the analysis of a resolved conversation) runs on its own and is not counted. */
const commandLines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l && !l.includes('"scope":"job:')).length : 0);

/** A GET as the browser sends it: JSON routes parsed, a page read to its last byte (the streamed document). */
function requester(appUrl: string) {
  return async (cookie: string, url: string, kind: Kind, s?: Scenario): Promise<Timed> => {
    const body = s?.bodies ? JSON.stringify(s.bodies[(s.sent = (s.sent ?? 0) + 1) % s.bodies.length]) : undefined;
    const t = performance.now();
    const res = await fetch(`${appUrl}${url}`, {
      method: s?.method ?? "GET",
      headers: { cookie, accept: kind === "page" ? "text/html" : "application/json", ...(body ? { "content-type": "application/json" } : {}) },
      body,
      redirect: "manual",
    });
    const firstByteMs = performance.now() - t;
    const answer: unknown = kind === "page" ? await res.text() : await res.json();
    const ms = performance.now() - t;
    if (!res.ok) throw new Error(`${url} answered ${res.status}: ${kind === "page" ? res.headers.get("location") : JSON.stringify(answer)}`);
    // A page that rendered its error or fallback would be fast for the wrong reason.
    if (kind === "page" && !String(answer).includes('data-testid="conversation-row"')) throw new Error(`${url} rendered no conversation rows`);
    return { ms, firstByteMs, body: answer };
  };
}

/** The inbox actions on one open, unassigned conversation, each undone by the next request. */
const actions = (id: string, cookie: string): Scenario[] => [
  { name: "action: assign to me / unassign", kind: "action", cookie, url: `/api/conversations/${id}/assignee`, method: "PUT", bodies: [{ assigneeId: null }, { assigneeId: "me" }] },
  { name: "action: resolve / reopen", kind: "action", cookie, url: `/api/conversations/${id}/status`, method: "PUT", bodies: [{ status: "open" }, { status: "resolved" }] },
  { name: "action: priority low / normal", kind: "action", cookie, url: `/api/conversations/${id}`, method: "PATCH", bodies: [{ priority: "normal" }, { priority: "low" }] },
];

type Verdict = { rows: string[]; tripsPass: boolean; latencyPass: boolean };

/**
 * Round trips on a server that logs its commands, then latency on one that does not, for one data
 * set's scenarios; both servers are stopped before returning.
 */
async function measure(label: string, scenarios: Scenario[], ctx: { appPort: number; env: NodeJS.ProcessEnv; get: ReturnType<typeof requester>; real: boolean }): Promise<Verdict> {
  const logDir = mkdtempSync(path.join(os.tmpdir(), "bench-inbox-"));
  onStop(async () => rmSync(logDir, { recursive: true, force: true }));
  const log = path.join(logDir, "commands.jsonl");
  const logging = await startApp(ctx.appPort, { ...ctx.env, DB_COMMAND_LOG: log }, ROOT);
  const roundTrips = new Map<string, number[]>();
  for (const s of scenarios) {
    const counts: number[] = [];
    for (let i = 0; i < CALIBRATION_REQUESTS; i++) {
      const before = commandLines(log);
      await ctx.get(s.cookie, s.url, s.kind, s);
      counts.push(commandLines(log) - before);
    }
    roundTrips.set(s.name, counts);
  }
  if (commandLines(log) === 0) throw new Error("the app wrote no command log: is DB_COMMAND_LOG supported by lib/db/client.ts?");
  await logging.stop();

  const plain = await startApp(ctx.appPort, ctx.env, ROOT);
  const rows: string[] = [];
  let tripsPass = true;
  let latencyPass = true;
  for (const s of scenarios) {
    for (let i = 0; i < 3; i++) await ctx.get(s.cookie, s.url, s.kind, s);
    const samples: Timed[] = [];
    for (let i = 0; i < SAMPLES; i++) samples.push(await ctx.get(s.cookie, s.url, s.kind, s));
    const times = samples.map((x) => x.ms).sort((a, b) => a - b);
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
    rows.push(`| ${label} | ${s.name} | ${p50} | ${p95} | ${p99} | ${ctx.real ? (latencyOk ? "PASS" : "FAIL") : "n/a"} | ${tripsText} | ${tripsVerdict} |`);
    console.log(`[bench] ${label}, ${s.name}: p50 ${p50} ms, p95 ${p95} ms, p99 ${p99} ms; ${tripsText} database round trips per request (${tripsVerdict})`);
    if (s.kind === "page") {
      const first = samples.map((x) => x.firstByteMs).sort((a, b) => a - b);
      const line = `first byte p50 ${percentile(first, 50).toFixed(1)} ms, p95 ${percentile(first, 95).toFixed(1)} ms (the shell streams before the list and the counts)`;
      rows.push(`| ${label} | ${s.name}: first byte | ${percentile(first, 50).toFixed(1)} | ${percentile(first, 95).toFixed(1)} | ${percentile(first, 99).toFixed(1)} | n/a | | |`);
      console.log(`[bench] ${label}, ${s.name}: ${line}`);
    }
  }
  await plain.stop();
  return { rows, tripsPass, latencyPass };
}

async function main(): Promise<boolean> {
  const dbServer = await startLocalDatabase({ persistent: false });
  onStop(dbServer.stop);
  const real = dbServer.engine === "external" || dbServer.engine === "mongodb-memory-server";
  const engine = dbServer.engine === "external" ? "the MongoDB at MONGODB_URI" : dbServer.engine === "mongo-java-server" ? "mongo-java-server 1.47 (memory backend)" : "mongod (mongodb-memory-server)";
  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  setAppEnv("bench_inbox", dbServer.uri, appUrl);
  const { closeClient } = await import("@/lib/db/client");
  const { rawCollection } = await import("@/lib/db/collections");
  const { ensureIndexes } = await import("@/lib/db/indexes");
  const { seedDemoData } = await import("../seed/demo-data");

  // A. The demo data, alone in a fresh database: what a person trying the product opens.
  console.log(`[bench] database: ${describeDb(dbServer)}; seeding the demo data...`);
  await ensureIndexes();
  const demo = await seedDemoData();
  const userByEmail = async (email: string) => {
    const u = await rawCollection("users").findOne({ email });
    if (!u) throw new Error(`no user ${email}`);
    return cookieFor(u);
  };
  const demoAdmin = await userByEmail("admin@example.com");
  const demoAgent = await userByEmail("agent1@example.com");
  const demoOpen = await rawCollection("conversations").findOne({ orgId: demo.orgId, status: "open", assigneeId: null });
  if (!demoOpen) throw new Error("the demo data has no open unassigned conversation");
  await closeClient();

  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", NEXT_DIST_DIR: DIST };
  buildNext(DIST, env, { reuse: process.env.BENCH_SKIP_BUILD === "true", cwd: ROOT });
  const get = requester(appUrl);
  const ctx = { appPort, env, get, real };

  const demoLabel = `demo data (${demo.conversations} conversations)`;
  const demoResult = await measure(
    demoLabel,
    [
      { name: "page: /inbox (full HTML document, admin)", kind: "page", cookie: demoAdmin, url: "/inbox" },
      { name: "counts (tabs + unread badge, agent)", kind: "counts", cookie: demoAgent, url: "/api/conversations/counts" },
      { name: "counts (tabs + unread badge, admin)", kind: "counts", cookie: demoAdmin, url: "/api/conversations/counts" },
      ...actions(demoOpen._id.toHexString(), demoAdmin),
    ],
    ctx,
  );

  // B. The large organization: the demo's organization grown to BENCH_CONVERSATIONS.
  console.log(`[bench] seeding ${CONVERSATIONS} conversations and ${MESSAGES} messages...`);
  const data = await seedInbox(CONVERSATIONS, MESSAGES);
  await closeClient();
  const admin = await cookieFor(data.admin);
  const agent = await cookieFor(data.agent);
  const plain = await startApp(appPort, env, ROOT);
  const firstAll = (await get(admin, "/api/conversations?view=all", "list")).body as { nextCursor: string };
  const thread = (await get(admin, `/api/conversations/${data.busiest.toHexString()}/messages?limit=5`, "thread")).body as { nextCursor: string | null };
  await plain.stop();
  const since = new Date(Date.now() - 60_000).toISOString();
  const busiest = data.busiest.toHexString();
  const scenarios: Scenario[] = [
    { name: "page: /inbox (full HTML document, admin)", kind: "page", cookie: admin, url: "/inbox" },
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
    { name: "counts (tabs + unread badge, agent)", kind: "counts", cookie: agent, url: "/api/conversations/counts" },
    { name: "counts (tabs + unread badge, admin)", kind: "counts", cookie: admin, url: "/api/conversations/counts" },
    ...actions(busiest, admin),
  ];
  const bigLabel = `${CONVERSATIONS} conversations`;
  const bigResult = await measure(bigLabel, scenarios, ctx);

  const tripsPass = demoResult.tripsPass && bigResult.tripsPass;
  const latencyPass = demoResult.latencyPass && bigResult.latencyPass;
  console.log(`\n${demoLabel}; then ${CONVERSATIONS} conversations, ${CONVERSATIONS * data.perConversation} messages; ${SAMPLES} sequential requests per scenario, database ${engine}\n`);
  console.log(`| data | scenario | p50 ms | p95 ms | p99 ms | p95 < ${FLOOR_P95_MS} ms | round trips | round-trip floor |\n| --- | --- | --- | --- | --- | --- | --- | --- |`);
  console.log([...demoResult.rows, ...bigResult.rows].join("\n"));
  console.log(
    `\n[bench] round trips per request (every database command, the session re-check included): ${tripsPass ? "PASS" : "FAIL"}` +
      `\n[bench] latency: ${real ? `p95 < ${FLOOR_P95_MS} ms on every scenario: ${latencyPass ? "PASS" : "FAIL"}` : `reported only: ${engine} scans every query (no index use), so its latency is not Atlas latency`}`,
  );
  return tripsPass && (!real || latencyPass);
}

runBench(main);
