/**
 * npm run bench:inbox — the inbox's read paths on a production build: seeds an organization with
 * BENCH_CONVERSATIONS conversations (50,000) and BENCH_MESSAGES messages (500,000) by bulk insert,
 * builds and starts the app (NEXT_DIST_DIR=.next-bench-inbox), then times the list and thread API
 * routes over HTTP with a real session cookie: p50/p95/p99 per scenario. Floor: p95 < 150 ms.
 *
 * Options (env): BENCH_CONVERSATIONS, BENCH_MESSAGES, BENCH_SAMPLES (40 per scenario),
 * BENCH_SKIP_BUILD=true to reuse .next-bench-inbox, MONGODB_URI to run against another database.
 */
import { spawn } from "node:child_process";
import { waitForHealth } from "./lib/app-server";
import { buildNext } from "../lib/next-process";
import path from "node:path";
import { ObjectId } from "mongodb";
import { encode } from "next-auth/jwt";
import type { Role } from "@/lib/schemas/common";
import { freePort, startLocalDatabase } from "../lib/local-db";

const ROOT = path.resolve(__dirname, "../..");
const DIST = ".next-bench-inbox";
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 50_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 500_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40);
const FLOOR_P95_MS = 150;
const AGENTS = 10;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

const stops: (() => Promise<unknown>)[] = [];
async function cleanup() {
  for (const stop of stops.splice(0)) await stop().catch(() => {});
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void cleanup().then(() => process.exit(130)));


const words = ["order", "refund", "delivery", "invoice", "parcel", "broken", "address", "payment", "discount", "warranty", "exchange", "tracking", "umbrella", "sneakers", "jacket"];

/** Bulk-inserts the data set; returns what the scenarios query with. */
async function seed() {
  const { ensureIndexes } = await import("@/lib/db/indexes");
  const { ensureDefaultOrganization } = await import("@/lib/db/bootstrap");
  const { createUser } = await import("@/lib/db/users");
  const { rawCollection } = await import("@/lib/db/collections");
  const { searchTokens } = await import("@/lib/search/tokens");
  await ensureIndexes();
  const orgId = await ensureDefaultOrganization();
  const suffix = orgId.toHexString().slice(-6);
  const admin = await createUser(orgId, { email: `bench-admin-${suffix}@example.com`, name: "Bench Admin", role: "admin", password: "bench-password-1", createdBy: null });
  const agents = [];
  for (let i = 0; i < AGENTS; i++) agents.push(await createUser(orgId, { email: `bench-agent${i}-${suffix}@example.com`, name: `Agent ${i}`, role: "agent", password: "bench-password-1", createdBy: null }));
  const accountId = new ObjectId();

  const now = Date.now();
  const perConversation = Math.max(1, Math.floor(MESSAGES / CONVERSATIONS));
  const conversations = await rawCollection("conversations");
  const messages = await rawCollection("messages");
  const statuses = ["open", "assigned", "assigned", "ai_handled", "waiting", "resolved", "resolved", "closed"] as const;
  let busiest: ObjectId | null = null;
  const started = Date.now();
  for (let from = 0; from < CONVERSATIONS; from += 1000) {
    const convBatch = [];
    const msgBatch = [];
    for (let i = from; i < Math.min(CONVERSATIONS, from + 1000); i++) {
      const _id = new ObjectId();
      const contactId = new ObjectId();
      const status = statuses[i % statuses.length]!;
      const assignee = status === "assigned" || status === "waiting" || (status === "resolved" && i % 2 === 0) ? agents[i % AGENTS]!._id : null;
      // Activity spread over 90 days, newest first for low i.
      const last = new Date(now - Math.floor((i / CONVERSATIONS) * 90 * 86400_000) - (i % 997));
      const name = `Customer ${i}`;
      const phone = `+1${String(4_150_000_000 + i)}`;
      convBatch.push({
        _id, orgId, accountId, contactId, liveKey: status === "closed" ? `closed:${_id.toHexString()}` : `${contactId.toHexString()}:${accountId.toHexString()}`,
        status, priority: i % 13 === 0 ? "urgent" : i % 5 === 0 ? "high" : "normal", assigneeId: assignee, tags: i % 3 === 0 ? ["vip"] : [],
        contact: { name, phone, identityKey: phone }, lastMessage: { preview: `About my ${words[i % words.length]}`, type: "text", sender: "customer" as const, status: null, at: last },
        lastActivityAt: last, lastCustomerMessageAt: last, unreadCount: i % 4, firstResponseAt: null, snoozedUntil: null, resolvedAt: status === "resolved" ? last : null,
        ai: { enabled: true, confidence: null, handoverReason: null, consecutiveReplies: 0 }, source: null, searchTokens: searchTokens(name, phone),
        createdAt: new Date(last.getTime() - 3600_000), updatedAt: last,
      });
      if (i === 0) busiest = _id;
      for (let k = 0; k < perConversation; k++) {
        const at = new Date(last.getTime() - (perConversation - k) * 60_000);
        const inbound = k % 2 === 0;
        const text = `Message ${k} about the ${words[(i + k) % words.length]} ${words[(i * 7 + k) % words.length]} number ${i}-${k}`;
        const wamid = `wamid.bench${i}x${k}`;
        msgBatch.push({
          _id: new ObjectId(), orgId, conversationId: _id, contactId, accountId, key: inbound ? `wa:${wamid}` : `out:bench-${i}-${k}`, waMessageId: wamid,
          direction: inbound ? "inbound" : "outbound", sender: inbound ? "customer" : "agent", senderUserId: inbound ? null : agents[i % AGENTS]!._id,
          type: "text", text, payload: null, media: null, replyTo: null, reactions: [], edited: null, revokedAt: null, forwarded: "no",
          status: inbound ? null : "read", statusHistory: [], error: null, pricing: null, waConversation: null, sentAt: at,
          searchTokens: searchTokens(text), createdAt: at, updatedAt: at,
        });
      }
    }
    await conversations.insertMany(convBatch as never[], { ordered: false });
    for (let m = 0; m < msgBatch.length; m += 5000) await messages.insertMany(msgBatch.slice(m, m + 5000) as never[], { ordered: false });
    process.stdout.write(`\r[bench] seeded ${Math.min(CONVERSATIONS, from + 1000)}/${CONVERSATIONS} conversations (${Math.round((Date.now() - started) / 1000)} s)`);
  }
  process.stdout.write("\n");
  return { admin, agent: agents[0]!, busiest: busiest!, perConversation };
}

async function cookieFor(user: { _id: ObjectId; orgId: ObjectId; role: Role; name: string; email: string }) {
  const token = await encode({
    token: { uid: user._id.toHexString(), orgId: user.orgId.toHexString(), role: user.role, name: user.name, email: user.email, sub: user._id.toHexString() },
    secret: process.env.NEXTAUTH_SECRET!,
  });
  return `next-auth.session-token=${token}`;
}

async function main() {
  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  const db = await startLocalDatabase({ persistent: false });
  stops.push(db.stop);
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
  const data = await seed();
  const { closeClient } = await import("@/lib/db/client");
  await closeClient();

  const env = { ...process.env, NEXT_DIST_DIR: DIST };
  buildNext(DIST, env, { reuse: process.env.BENCH_SKIP_BUILD === "true", cwd: ROOT });
  const server = spawn("npx", ["next", "start", "-H", "127.0.0.1", "-p", String(appPort)], { cwd: ROOT, env, stdio: ["ignore", "ignore", "inherit"], detached: true });
  stops.unshift(async () => void process.kill(-server.pid!, "SIGTERM"));
  await waitForHealth(appUrl, server);

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
    for (let i = 0; i < 3; i++) await get(s.cookie, s.url);
    const times: number[] = [];
    for (let i = 0; i < SAMPLES; i++) times.push((await get(s.cookie, s.url)).ms);
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
  await cleanup();
  process.exit(pass ? 0 : 1);
}

main().catch(async (err) => {
  console.error(`[bench] ${err instanceof Error ? err.stack : err}`);
  await cleanup();
  process.exit(1);
});
