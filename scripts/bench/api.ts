/**
 * npm run bench:api — the public REST API (issue 15) on a production build, over HTTP with an API
 * key, at BENCH_CLIENTS (50) concurrent clients:
 * 1. contacts list: every client pages GET /api/v1/contacts?limit=50 (first page, then by cursor)
 *    for BENCH_SECONDS (15) over BENCH_CONTACTS (10,000) contacts; p50/p95/p99 and errors;
 * 2. message send: every client sends BENCH_SENDS (20) text messages through
 *    POST /api/v1/conversations/{id}/messages, each with its own Idempotency-Key, and retries each
 *    one as a flaky network makes clients do: a duplicate sent while the first is in flight and
 *    one more after its answer. Checked afterwards: exactly one stored message and one Graph API
 *    send per key (0 double sends), every retry answered with the first response's message id.
 * Plus the app server's CPU per request (its process tree, /proc).
 *
 * The database (mongo-java-server on 127.0.0.1:BENCH_DB_PORT, or MONGODB_URI), the Graph API
 * simulator (BENCH_SIM_PORT) and the app (BENCH_APP_PORT) use fixed ports. Floors: 0 errors, 0
 * double sends; latency is reported (the local engine scans every query: not Atlas latency).
 * Env: BENCH_CLIENTS, BENCH_SECONDS, BENCH_CONTACTS, BENCH_SENDS, BENCH_SKIP_BUILD=true to reuse
 * BENCH_DIST_DIR (.next-bench-api).
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import { ObjectId } from "mongodb";
import { buildNext } from "../lib/next-process";
import { describeDb, startLocalDatabase, startMongoJavaServer } from "../lib/local-db";
import { onStop, percentile, processTreeCpuMs, runBench, startApp, startDemoWhatsApp, setAppEnv } from "./lib/app-server";

const ROOT = path.resolve(__dirname, "../..");
const DIST = process.env.BENCH_DIST_DIR ?? ".next-bench-api";
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 10_000);
const SENDS = Number(process.env.BENCH_SENDS ?? 20);
const APP_PORT = Number(process.env.BENCH_APP_PORT ?? 3312);
const DB_PORT = Number(process.env.BENCH_DB_PORT ?? 3313);
const SIM_PORT = Number(process.env.BENCH_SIM_PORT ?? 3314);

type Sample = { ms: number; status: number };
const summary = (samples: Sample[]) => {
  const times = samples.map((s) => s.ms).sort((a, b) => a - b);
  const errors = samples.filter((s) => s.status < 200 || s.status >= 300).length;
  return { requests: samples.length, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), errors };
};

async function main(): Promise<boolean> {
  const dbServer = process.env.MONGODB_URI ? await startLocalDatabase({ persistent: false }) : await startMongoJavaServer({ port: DB_PORT });
  onStop(dbServer.stop);
  const appUrl = `http://127.0.0.1:${APP_PORT}`;
  setAppEnv("bench_api", dbServer.uri, appUrl);
  delete process.env.QSTASH_TOKEN;
  // Statuses come back to the app as Meta's would (signed webhooks), part of the load as in production.
  const { sim, phoneNumberId: DEMO_PHONE_NUMBER_ID } = await startDemoWhatsApp(appUrl, SIM_PORT);
  const { seedDemoData } = await import("../seed/demo-data");

  const { closeClient } = await import("@/lib/db/client");
  const { rawCollection } = await import("@/lib/db/collections");
  const { ensureIndexes } = await import("@/lib/db/indexes");
  const { createApiKey } = await import("@/lib/api-keys/keys");
  const { createConversation } = await import("../../tests/support/conversation-fixtures");
  console.log(`[bench] database: ${describeDb(dbServer)}; seeding the demo data, ${CONTACTS} contacts and ${CLIENTS} open conversations...`);
  await ensureIndexes();
  const { orgId } = await seedDemoData();
  const now = Date.now();
  for (let start = 0; start < CONTACTS; start += 1000) {
    await rawCollection("contacts").insertMany(
      Array.from({ length: Math.min(1000, CONTACTS - start) }, (_, k) => {
        const i = start + k;
        const phone = `+1650${String(2_000_000 + i).padStart(7, "0")}`;
        const at = new Date(now - i * 1000);
        return {
          _id: new ObjectId(), orgId, identityKey: phone, phone, waId: phone.slice(1), bsuid: null, username: null, name: `Bench Person ${i}`, profileName: null,
          email: null, company: null, tags: [], customFields: {}, consent: { state: "unknown" as const, marketing: false, changedAt: null, source: null },
          source: { kind: "import", referral: null, at }, lastInboundAt: null, searchTokens: ["bench", "person", String(i)], createdAt: at, updatedAt: at,
        };
      }),
    );
  }
  const account = (await rawCollection("whatsapp_accounts").findOne({ orgId, phoneNumberId: DEMO_PHONE_NUMBER_ID }))!;
  const conversations: { id: string; waId: string }[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const { conversation, contact } = await createConversation(orgId, account._id, { phone: `+1651${String(3_000_000 + i).padStart(7, "0")}` });
    sim.sim.setLastInbound(contact.waId!, new Date());
    conversations.push({ id: conversation._id.toHexString(), waId: contact.waId! });
  }
  const admin = (await rawCollection("users").findOne({ orgId, role: "admin" }))!;
  const { secret } = await createApiKey(orgId, { id: admin._id, name: admin.name }, { name: "bench", scopes: ["contacts:read", "messages:write"], rateLimitPerMinute: 100_000 });
  await closeClient();

  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", NEXT_DIST_DIR: DIST };
  buildNext(DIST, env, { reuse: process.env.BENCH_SKIP_BUILD === "true", cwd: ROOT });
  const app = await startApp(APP_PORT, env, ROOT);
  const auth = { authorization: `Bearer ${secret}` };

  const timed = async (url: string, init: RequestInit = {}): Promise<Sample & { body: Record<string, unknown> }> => {
    const t = performance.now();
    const res = await fetch(`${appUrl}${url}`, { ...init, headers: { ...auth, accept: "application/json", ...(init.headers as Record<string, string>) } });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    return { ms: performance.now() - t, status: res.status, body };
  };

  // Warm-up: compile paths, fill pools.
  for (let i = 0; i < 10; i++) await timed("/api/v1/contacts?limit=50");

  // 1. Contacts list.
  const listSamples: Sample[] = [];
  const cpu0 = processTreeCpuMs(app.pid);
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      let cursor: string | null = null;
      while (performance.now() < until) {
        const r = await timed(`/api/v1/contacts?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
        listSamples.push(r);
        cursor = r.status === 200 ? ((r.body.nextCursor as string | null) ?? null) : null;
      }
    }),
  );
  const listCpu = (processTreeCpuMs(app.pid) - cpu0) / listSamples.length;
  const list = summary(listSamples);

  // 2. Sends with client retries.
  const sendSamples: Sample[] = [];
  const idsByKey = new Map<string, Set<string>>();
  const cpu1 = processTreeCpuMs(app.pid);
  await Promise.all(
    conversations.map(async (c, client) => {
      for (let n = 0; n < SENDS; n++) {
        const key = randomUUID();
        const send = () =>
          timed(`/api/v1/conversations/${c.id}/messages`, {
            method: "POST",
            headers: { "content-type": "application/json", "idempotency-key": key },
            body: JSON.stringify({ content: { type: "text", text: `Order update ${client}-${n}` } }),
          });
        // The duplicate races the first attempt (a retry after a timeout); one more follows its answer.
        const answers = await Promise.all([send(), send()]);
        answers.push(await send());
        const ids = new Set<string>();
        for (const a of answers) {
          sendSamples.push(a);
          const id = (a.body.message as { id?: string } | undefined)?.id;
          if (id) ids.add(id);
        }
        idsByKey.set(key, ids);
      }
    }),
  );
  const sendCpu = (processTreeCpuMs(app.pid) - cpu1) / sendSamples.length;
  const send = summary(sendSamples);
  await app.stop();

  // A key range rather than a regex: the same index prefix, and mongo-java-server misreads a regex here.
  const stored = await rawCollection("messages").countDocuments({ orgId, key: { $gte: "out:api:", $lt: "out:api;" } });
  const graphSends = conversations.reduce((sum, c) => sum + sim.sim.sent(c.waId).length, 0);
  const logical = CLIENTS * SENDS;
  const mismatched = [...idsByKey.values()].filter((ids) => ids.size !== 1).length;
  const doubleSends = Math.max(0, graphSends - logical) + Math.max(0, stored - logical);
  await closeClient();

  const engine = dbServer.engine === "external" ? "the MongoDB at MONGODB_URI" : "mongo-java-server 1.47 (memory backend)";
  const row = (name: string, s: ReturnType<typeof summary>, cpu: number) =>
    `| ${name} | ${s.requests} | ${s.p50.toFixed(1)} | ${s.p95.toFixed(1)} | ${s.p99.toFixed(1)} | ${s.errors} | ${cpu.toFixed(1)} |`;
  console.log(`\n${CLIENTS} concurrent clients, database ${engine}, ${CONTACTS} contacts\n`);
  console.log("| scenario | requests | p50 ms | p95 ms | p99 ms | errors | app CPU ms/request |\n| --- | --- | --- | --- | --- | --- | --- |");
  console.log(row(`GET /api/v1/contacts (limit 50, paging), ${SECONDS} s`, list, listCpu));
  console.log(row(`POST …/messages, ${logical} sends × 3 attempts (1 concurrent duplicate + 1 retry)`, send, sendCpu));
  const checks: [string, boolean][] = [
    [`contacts list: 0 errors (${list.errors})`, list.errors === 0],
    [`sends: 0 errors (${send.errors})`, send.errors === 0],
    [`0 double sends: ${stored} stored messages and ${graphSends} Graph API sends for ${logical} Idempotency-Keys`, doubleSends === 0 && stored === logical && graphSends === logical],
    [`every retry answered with the first response's message (${mismatched} keys with differing answers)`, mismatched === 0],
  ];
  for (const [text, ok] of checks) console.log(`  ${ok ? "PASS" : "FAIL"}  ${text}`);
  console.log(JSON.stringify({ engine: dbServer.engine, clients: CLIENTS, list, send, listCpuMs: Number(listCpu.toFixed(1)), sendCpuMs: Number(sendCpu.toFixed(1)), stored, graphSends, logical, doubleSends }));
  return checks.every(([, ok]) => ok);
}

runBench(main);
