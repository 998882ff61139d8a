/**
 * npm run bench:ai-path — the AI reply path end to end on a production build: the Graph API
 * simulator posts a signed customer message to the webhook; ingestion enqueues `ai-reply` on the
 * local QStash-compatible server, which delivers it (signed) to /api/jobs/ai-reply; the job calls a
 * fake Gemini that answers instantly (through the real SDK) and sends the reply through the Graph
 * API client back to the simulator. Measured per conversation: from the webhook's 200 to the reply
 * reaching the simulator. The burst debounce is set to 0 here (it is a deliberate wait, 2 s by default).
 *
 * The database is the local engine (scripts/lib/local-db.ts: mongo-java-server offline), or
 * MONGODB_URI when set.
 *
 * Options (env): BENCH_CONVERSATIONS (500), BENCH_CONCURRENCY (10), BENCH_SKIP_BUILD=true to reuse
 * the build, BENCH_DIST_DIR (.next-bench-ai).
 */
import { onStop, percentile, runBench, sleep, startApp } from "./lib/app-server";
import { buildNext } from "../lib/next-process";
import path from "node:path";
import { startGeminiServer } from "../../tests/fakes/gemini-server";
import { startGraphSimulator } from "../../tests/fakes/graph-simulator";
import { startQstashServer } from "../../tests/fakes/qstash-server";
import { freePort } from "../lib/local-db";
import { describeDb, startLocalDatabase } from "../lib/local-db";

const ROOT = path.resolve(__dirname, "../..");
const DIST = process.env.BENCH_DIST_DIR ?? ".next-bench-ai";
const TOTAL = Number(process.env.BENCH_CONVERSATIONS ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const WARMUP = 20;
const FLOOR_P95_MS = 1_000;

async function main(): Promise<boolean> {
  const [appPort, simPort, qstashPort] = [await freePort(), await freePort(), await freePort()];
  const appUrl = `http://127.0.0.1:${appPort}`;

  const db = await startLocalDatabase({ persistent: false });
  onStop(db.stop);
  console.log(`[bench] database: ${describeDb(db)}`);
  const keys = { token: "bench-qstash-token", currentSigningKey: "sig_bench_current_0001", nextSigningKey: "sig_bench_next_0002" };
  const qstash = await startQstashServer({ port: qstashPort, ...keys });
  onStop(qstash.stop);
  const gemini = await startGeminiServer({
    apiKey: "bench-gemini-key",
    defaultResponder: () => ({ functionCalls: [{ name: "reply", args: { text: "Yes, we ship to Canada in 3-5 business days.", confidence: 0.95, sentiment: 0.2 } }] }),
  });
  onStop(gemini.stop);
  const meta = { accessToken: "bench-access-token", appSecret: "bench-app-secret", phoneNumberId: "106540352242922", wabaId: "102290129340398" };
  const sim = await startGraphSimulator({ port: simPort, webhookUrl: `${appUrl}/api/webhooks/whatsapp`, ...meta, displayPhoneNumber: "+1 555 0100", statusDelayMs: 50 });
  onStop(sim.stop);

  Object.assign(process.env, {
    MONGODB_URI: db.uri,
    MONGODB_DB: `bench_ai_${Date.now()}`,
    APP_URL: appUrl,
    NEXTAUTH_URL: appUrl,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "bench-secret-0123456789abcdef",
    WHATSAPP_GRAPH_API_URL: sim.url,
    WHATSAPP_ACCESS_TOKEN: meta.accessToken,
    WHATSAPP_APP_SECRET: meta.appSecret,
    WHATSAPP_VERIFY_TOKEN: "bench-verify-token",
    WHATSAPP_PHONE_NUMBER_ID: meta.phoneNumberId,
    WHATSAPP_BUSINESS_ACCOUNT_ID: meta.wabaId,
    GEMINI_API_KEY: "bench-gemini-key",
    GEMINI_BASE_URL: gemini.url,
    QSTASH_URL: qstash.url,
    QSTASH_TOKEN: keys.token,
    QSTASH_CURRENT_SIGNING_KEY: keys.currentSigningKey,
    QSTASH_NEXT_SIGNING_KEY: keys.nextSigningKey,
    AI_REPLY_DEBOUNCE_SECONDS: "0",
    LOG_LEVEL: "warn",
    NEXT_TELEMETRY_DISABLED: "1",
  });
  const { ensureIndexes } = await import("@/lib/db/indexes");
  const { ensureDefaultOrganization } = await import("@/lib/setup/default-organization");
  const { closeClient } = await import("@/lib/db/client");
  await ensureIndexes();
  await ensureDefaultOrganization();
  await closeClient();

  const env = { ...process.env, NEXT_DIST_DIR: DIST };
  buildNext(DIST, env, { reuse: process.env.BENCH_SKIP_BUILD === "true", cwd: ROOT });
  await startApp(appPort, env, ROOT);

  let next = 0;
  const latencies: number[] = [];
  const failures: string[] = [];
  async function conversation(i: number, measure: boolean) {
    const waId = `1555${String(2_000_000 + i).padStart(7, "0")}`;
    const sent = await sim.sim.customerSends(waId, { type: "text", text: "Hi! Do you ship to Canada?", name: `Bench ${i}` });
    const webhookAnsweredAt = Date.now();
    if (sent.status !== 200) return void failures.push(`webhook answered ${sent.status} (${sent.error})`);
    const deadline = webhookAnsweredAt + 30_000;
    for (;;) {
      const reply = sim.sim.thread(waId).find((t) => t.from === "business");
      if (reply) {
        if (measure) latencies.push(Date.parse(reply.at) - webhookAnsweredAt);
        return;
      }
      if (Date.now() > deadline) return void failures.push(`no reply for ${waId} within 30 s`);
      await sleep(2);
    }
  }
  async function run(count: number, offset: number, measure: boolean) {
    next = 0;
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, count) }, async () => {
        while (next < count) await conversation(offset + next++, measure);
      }),
    );
  }

  console.log(`[bench] warm-up: ${WARMUP} conversations`);
  await run(WARMUP, 0, false);
  failures.length = 0;
  console.log(`[bench] measuring ${TOTAL} conversations, ${CONCURRENCY} at a time`);
  const started = Date.now();
  await run(TOTAL, WARMUP, true);
  const wall = (Date.now() - started) / 1000;

  const sorted = [...latencies].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p95 = percentile(sorted, 95);
  const p99 = percentile(sorted, 99);
  const stats = qstash.stats();
  console.log(`\nAI reply path: webhook 200 -> reply at the Graph API simulator (${sorted.length} conversations, ${CONCURRENCY} concurrent, debounce 0 s, ${describeDb(db)})`);
  console.log(`  p50 ${p50} ms | p95 ${p95} ms | p99 ${p99} ms | max ${sorted.at(-1)} ms | ${(sorted.length / wall).toFixed(1)} replies/s`);
  console.log(`  model calls ${gemini.requests.length} | QStash deliveries ${stats.deliveries} (retried ${stats.retried}, failed ${stats.failed}) | failures ${failures.length}`);
  if (failures.length) console.log(`  first failures: ${failures.slice(0, 3).join("; ")}`);
  const ok = failures.length === 0 && sorted.length === TOTAL && p95 < FLOOR_P95_MS;
  console.log(ok ? `  PASS: p95 < ${FLOOR_P95_MS} ms` : `  FAIL: floor p95 < ${FLOOR_P95_MS} ms with every conversation answered`);

  return ok;
}

runBench(main);
