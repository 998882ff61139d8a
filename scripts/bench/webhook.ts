/**
 * npm run bench:webhook — the WhatsApp webhook under load, on a production build.
 *
 * Starts FerretDB (PostgreSQL backend when installed, see lib/ferretdb-metrics.ts) with its
 * request counters on, seeds one organization with a WhatsApp number and outbound messages for
 * statuses to land on, builds (`NEXT_DIST_DIR=.next-bench next build`) and starts the app on a
 * free 127.0.0.1 port, then drives the real route with autocannon: signed, Meta-shaped envelopes,
 * ~70% inbound text messages across many contacts and ~30% statuses (each outbound message's sent,
 * delivered and read in turn).
 * Follow-up jobs are published to a QStash-compatible sink that accepts and counts them, so the
 * route's own enqueue cost is measured while the jobs (separate invocations in production) do not
 * compete for these 2 cores.
 *
 * Prints events/s, latency p50/p95/p99, errors, database operations per inbound message and per
 * status (FerretDB's own counters, measured on sequential calibration deliveries), the ratio to a
 * raw-driver baseline writing the same documents directly, the requests/s of the app's no-database
 * route (what Next.js alone costs on this machine), and checks that every acknowledged message is
 * stored exactly once, unread counts add up and every acknowledged status is in its history once.
 *
 * Env: BENCH_DURATION (60 s), BENCH_RATE (offered requests/s, 330; 0 = as fast as possible),
 * BENCH_CONNECTIONS (64), BENCH_CONTACTS (2000), BENCH_SKIP_BUILD=true reuses the build,
 * BENCH_DIST_DIR (.next-bench) when another benchmark's server is serving that folder.
 */
import { onStop, percentile, runBench, sleep, startApp } from "./lib/app-server";
import { buildNext } from "../lib/next-process";
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import path from "node:path";
import autocannon from "autocannon";
import { MongoClient, ObjectId } from "mongodb";
import { freePort } from "../lib/local-db";
import { dataOps, DATA_COMMANDS, startBenchDb } from "./lib/ferretdb-metrics";

const ROOT = path.resolve(__dirname, "../..");
const DIST = process.env.BENCH_DIST_DIR ?? ".next-bench";
const DURATION = Number(process.env.BENCH_DURATION ?? 60);
const RATE = Number(process.env.BENCH_RATE ?? 330);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 2000);
const OUTBOUND = 3000;
const FLOOR = { eventsPerSecond: 300, p99Ms: 250, opsPerInbound: 4 };

const APP_SECRET = "bench-app-secret";
const PHONE_NUMBER_ID = "106540352242922";
const WABA_ID = "102290129340398";
const DB_NAME = `bench_webhook_${Date.now()}`;

const sign = (body: string) => `sha256=${createHmac("sha256", APP_SECRET).update(body).digest("hex")}`;


// ---------- Meta-shaped envelopes ----------
const texts = ["Hi! Is my order #4821 shipped yet?", "Do you deliver to Lyon?", "Thanks, that works", "What are your opening hours on Sunday?", "Can I change the size to M?", "ok", "Perfect 👍", "I never received the invoice"];
const phoneOf = (i: number) => `1650${String(5_000_000 + i).padStart(7, "0")}`;
const outboundWamid = (i: number) => `wamid.BENCHOUT${String(i).padStart(6, "0")}`;

function envelope(value: Record<string, unknown>) {
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [{ id: WABA_ID, changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550100", phone_number_id: PHONE_NUMBER_ID }, ...value } }] }],
  });
}
function inboundText(contact: number, wamid: string) {
  const phone = phoneOf(contact);
  return envelope({
    contacts: [{ profile: { name: `Customer ${contact}` }, wa_id: phone }],
    messages: [{ from: phone, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: texts[contact % texts.length] } }],
  });
}
function statusUpdate(i: number, status: "sent" | "delivered" | "read") {
  return envelope({
    statuses: [{
      id: outboundWamid(i), status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: phoneOf(i % CONTACTS),
      pricing: { billable: false, pricing_model: "PMP", type: "free_customer_service", category: "service" },
    }],
  });
}

type Event = { kind: "message" | "status"; body: string; wamid?: string; status?: string };
function eventStream(prefix: string) {
  let n = 0;
  let statusCursor = 0;
  const ladder = ["sent", "delivered", "read"] as const;
  return (): Event => {
    n++;
    // 7 messages for every 3 statuses, interleaved.
    if (n % 10 < 7) {
      const wamid = `wamid.${prefix}${n}`;
      const contact = Math.floor(Math.random() * CONTACTS);
      return { kind: "message", body: inboundText(contact, wamid), wamid };
    }
    // Each sent message gets its sent, delivered and read in turn, as Meta reports them.
    const i = statusCursor++;
    const target = Math.floor(i / 3) % OUTBOUND;
    return { kind: "status", body: statusUpdate(target, ladder[i % 3]!), wamid: outboundWamid(target), status: ladder[i % 3] };
  };
}

// ---------- stand-ins ----------
/** Accepts QStash publishes (single and batch) and counts them; delivers nothing. */
async function startQstashSink(): Promise<{ url: string; published: () => number; stop: () => Promise<void> }> {
  let published = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const batch = req.url?.startsWith("/v2/batch");
      const count = batch ? (JSON.parse(body || "[]") as unknown[]).length : 1;
      published += count;
      const ids = Array.from({ length: count }, () => ({ messageId: `msg_${new ObjectId().toHexString()}` }));
      res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify(batch ? ids : ids[0]));
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${port}`,
    published: () => published,
    stop: () => {
      // The app keeps its connections alive; close() alone would wait for them forever.
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}


// ---------- seed ----------
async function seed() {
  const { ensureIndexes } = await import("@/lib/db/indexes");
  const { rawCollection } = await import("@/lib/db/collections");
  const { defaultSettings } = await import("@/lib/schemas/settings");
  const { closeClient } = await import("@/lib/db/client");
  await ensureIndexes();
  const now = new Date();
  const orgId = new ObjectId();
  await rawCollection("organizations").insertOne({ _id: orgId, name: "Bench Org", slug: `bench-${orgId.toHexString()}`, timezone: "UTC", createdAt: now, updatedAt: now });
  await rawCollection("settings").insertOne({ ...defaultSettings, _id: new ObjectId(), orgId, updatedAt: now, updatedBy: null });
  const accountId = new ObjectId();
  await rawCollection("whatsapp_accounts").insertOne({
    _id: accountId, orgId, phoneNumberId: PHONE_NUMBER_ID, wabaId: WABA_ID, displayPhoneNumber: "+1 555 0100", verifiedName: "Bench Co", accessToken: null,
    qualityRating: "GREEN", messagingLimit: "TIER_UNLIMITED", throughputMps: 80, status: "connected", events: [], tokenError: null, createdAt: now, updatedAt: now,
  });
  // Outbound messages the statuses are about (what the send service leaves: pending, with a wamid).
  const messages = rawCollection("messages");
  for (let start = 0; start < OUTBOUND; start += 500) {
    await messages.insertMany(
      Array.from({ length: Math.min(500, OUTBOUND - start) }, (_, k) => {
        const i = start + k;
        return {
          _id: new ObjectId(), orgId, conversationId: new ObjectId(), contactId: new ObjectId(), accountId, key: `out:bench-${i}`, waMessageId: outboundWamid(i),
          direction: "outbound" as const, sender: "agent" as const, senderUserId: null, type: "text" as const, text: "Your order has shipped", payload: null, media: null,
          replyTo: null, reactions: [], edited: null, revokedAt: null, forwarded: "no" as const, status: "pending" as const, statusHistory: [{ status: "pending" as const, at: now }],
          error: null, pricing: null, waConversation: null, sentAt: now, searchTokens: [], createdAt: now, updatedAt: now,
        };
      }),
    );
  }
  await closeClient();
  return { orgId, accountId };
}

// ---------- load ----------
type LoadResult = {
  sent: number;
  ok: number;
  errors: number;
  non2xx: Record<string, number>;
  latencies: number[];
  seconds: number;
  /** wamids of acknowledged inbound messages. */
  acked: Set<string>;
  /** "wamid status" of acknowledged statuses. */
  ackedStatuses: Set<string>;
  kinds: Record<string, number>;
};

function runLoad(url: string, opts: { duration?: number; amount?: number; rate: number; connections: number; prefix: string }): Promise<LoadResult> {
  const next = eventStream(opts.prefix);
  const latencies: number[] = [];
  const acked = new Set<string>();
  const ackedStatuses = new Set<string>();
  const non2xx: Record<string, number> = {};
  const kinds: Record<string, number> = { message: 0, status: 0 };
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const instance = autocannon(
      {
        url,
        connections: opts.connections,
        ...(opts.duration ? { duration: opts.duration } : { amount: opts.amount }),
        ...(opts.rate ? { overallRate: opts.rate } : {}),
        timeout: 10,
        requests: [
          {
            method: "POST",
            path: "/api/webhooks/whatsapp",
            setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => {
              const ev = next();
              context.ev = ev;
              return { ...req, body: ev.body, headers: { "content-type": "application/json", "x-hub-signature-256": sign(ev.body) } };
            },
            onResponse: (status: number, _body: string, context: Record<string, unknown>) => {
              const ev = context.ev as Event;
              if (status === 200) {
                kinds[ev.kind]!++;
                if (ev.kind === "message") acked.add(ev.wamid!);
                else ackedStatuses.add(`${ev.wamid} ${ev.status}`);
              } else non2xx[status] = (non2xx[status] ?? 0) + 1;
            },
          },
        ],
      },
      (err: Error | null, result: autocannon.Result) => {
        if (err) return reject(err);
        resolve({ sent: result.requests.sent, ok: result["2xx"], errors: result.errors + result.timeouts, non2xx, latencies: latencies.sort((a, b) => a - b), seconds: (Date.now() - started) / 1000, acked, ackedStatuses, kinds });
      },
    );
    instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
  });
}

/** Sequential deliveries of one kind, counting FerretDB data commands per delivery. */
async function calibrate(url: string, commands: () => Promise<Record<string, number>>, bodies: string[]) {
  const before = await commands();
  for (const body of bodies) {
    const res = await fetch(`${url}/api/webhooks/whatsapp`, { method: "POST", body, headers: { "content-type": "application/json", "x-hub-signature-256": sign(body) } });
    if (res.status !== 200) throw new Error(`calibration delivery answered ${res.status}: ${await res.text()}`);
  }
  const after = await commands();
  const byCommand = Object.fromEntries(DATA_COMMANDS.map((c) => [c, ((after[c] ?? 0) - (before[c] ?? 0)) / bodies.length]).filter(([, v]) => (v as number) > 0));
  return { perDelivery: dataOps(before, after) / bodies.length, byCommand };
}

/**
 * The writes the route cannot avoid, straight through the driver, with the same concurrency: per
 * inbound message the raw envelope, the message and the conversation update; per status the raw
 * envelope, the message update and the conversation's tick update. No HTTP, no Next.js, no
 * parsing, no reads, no batching: what the database stand-in allows for this work on this machine.
 */
async function rawBaseline(uri: string, orgId: ObjectId, accountId: ObjectId, events: number) {
  const client = new MongoClient(uri, { maxPoolSize: 20, monitorCommands: true });
  let ops = 0;
  client.on("commandStarted", (e) => {
    if (DATA_COMMANDS.includes(e.commandName)) ops++;
  });
  await client.connect();
  const db = client.db(DB_NAME);
  const [messages, conversations, envelopes] = [db.collection("messages"), db.collection("conversations"), db.collection("webhook_events")];
  const conversationIds = (await conversations.find({ orgId }, { projection: { _id: 1 } }).toArray()).map((c) => c._id);
  const outboundIds = (await messages.find({ orgId, direction: "outbound" }, { projection: { _id: 1 } }).toArray()).map((m) => m._id);
  let n = 0;
  const started = Date.now();
  const worker = async () => {
    while (n < events) {
      const i = n++;
      const now = new Date();
      const body = i % 10 < 7 ? inboundText(i % CONTACTS, `wamid.RAW${i}`) : statusUpdate(i % OUTBOUND, "delivered");
      await envelopes.insertOne({
        _id: new ObjectId(), source: "whatsapp", bodyHash: createHmac("sha256", "x").update(body).digest("hex"), rawBody: body, receivedAt: now, orgId,
        outcome: "processed", reason: null, counts: { messages: 1, statuses: 0, other: 0 }, attempts: 1, lastProcessedAt: now,
      });
      const conversationId = conversationIds[i % conversationIds.length]!;
      if (i % 10 < 7) {
        await messages.insertOne({
          _id: new ObjectId(), orgId, conversationId, contactId: new ObjectId(), accountId, key: `wa:wamid.RAW${i}`, waMessageId: `wamid.RAW${i}`,
          direction: "inbound", sender: "customer", senderUserId: null, type: "text", text: texts[i % texts.length], payload: null, media: null, replyTo: null, reactions: [],
          edited: null, revokedAt: null, forwarded: "no", status: null, statusHistory: [], error: null, pricing: null, waConversation: null, sentAt: now, searchTokens: [], createdAt: now, updatedAt: now,
        });
        await conversations.updateOne(
          { _id: conversationId, orgId },
          { $set: { updatedAt: now, lastMessage: { preview: texts[i % texts.length], type: "text", sender: "customer", status: null, at: now } }, $max: { lastActivityAt: now, lastCustomerMessageAt: now }, $inc: { unreadCount: 1 } },
        );
      } else {
        await messages.updateOne({ _id: outboundIds[i % outboundIds.length], orgId }, { $set: { updatedAt: now, status: "delivered" }, $push: { statusHistory: { status: "delivered", at: now } } } as never);
        await conversations.updateOne({ _id: conversationId, orgId, "lastMessage.at": now }, { $set: { "lastMessage.status": "delivered", updatedAt: now } });
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const seconds = (Date.now() - started) / 1000;
  await client.close();
  return { eventsPerSecond: events / seconds, opsPerEvent: ops / events };
}

/** The app's cheapest real route (Meta's verification handshake: no database), as fast as it answers: what Next.js alone costs here. */
async function frameworkCeiling(url: string): Promise<number> {
  const result = await new Promise<autocannon.Result>((resolve, reject) =>
    autocannon({ url: `${url}/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=bench-verify-token&hub.challenge=42`, connections: CONNECTIONS, duration: 10 }, (err, r) => (err ? reject(err) : resolve(r))),
  );
  if (result.non2xx > 0) throw new Error(`handshake answered ${result.non2xx} non-2xx responses`);
  return result.requests.average;
}

async function main(): Promise<boolean> {
  const db = await startBenchDb();
  onStop(db.stop);
  console.log(`[bench] FerretDB (${db.backend} backend) at ${db.uri}, database ${DB_NAME}`);
  const sink = await startQstashSink();
  onStop(sink.stop);
  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_DIST_DIR: DIST,
    NEXT_TELEMETRY_DISABLED: "1",
    MONGODB_URI: db.uri,
    MONGODB_DB: DB_NAME,
    APP_URL: appUrl,
    NEXTAUTH_URL: appUrl,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "bench-secret-0123456789abcdef",
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: "bench-verify-token",
    QSTASH_TOKEN: "bench-qstash-token",
    QSTASH_URL: sink.url,
    QSTASH_CURRENT_SIGNING_KEY: "sig_bench_current",
    QSTASH_NEXT_SIGNING_KEY: "sig_bench_next",
    LOG_LEVEL: "warn",
  };
  Object.assign(process.env, { MONGODB_URI: db.uri, MONGODB_DB: DB_NAME, NEXTAUTH_SECRET: env.NEXTAUTH_SECRET });
  const { orgId, accountId } = await seed();
  db.indexForPushdown(DB_NAME);
  console.log(`[bench] seeded 1 organization, 1 WhatsApp number, ${OUTBOUND} outbound messages; ${CONTACTS} customer phone numbers in the mix`);

  buildNext(DIST, env, { reuse: process.env.BENCH_SKIP_BUILD === "true", cwd: ROOT });
  await startApp(appPort, env, ROOT);
  console.log(`[bench] app (production build) at ${appUrl}`);

  await runLoad(appUrl, { amount: 400, rate: 0, connections: 8, prefix: "WARM" });
  const firstContact = (i: number) => inboundText(CONTACTS + 10_000 + i, `wamid.CALNEW${i}`);
  const newContact = await calibrate(appUrl, db.commands, Array.from({ length: 50 }, (_, i) => firstContact(i)));
  const knownContact = await calibrate(appUrl, db.commands, Array.from({ length: 200 }, (_, i) => inboundText(CONTACTS + 10_000 + (i % 50), `wamid.CALKNOWN${i}`)));
  const statuses = await calibrate(appUrl, db.commands, Array.from({ length: 100 }, (_, i) => statusUpdate(OUTBOUND - 1 - i, "sent")));
  console.log(`[bench] calibration: ${knownContact.perDelivery.toFixed(2)} ops per inbound message (known contact), ${newContact.perDelivery.toFixed(2)} (first message of a new contact), ${statuses.perDelivery.toFixed(2)} per status`);

  const publishedBefore = sink.published();
  const opsBefore = await db.commands();
  console.log(`[bench] load: ${DURATION} s, ${RATE || "unlimited"} requests/s offered, ${CONNECTIONS} connections, 70% messages / 30% statuses...`);
  const load = await runLoad(appUrl, { duration: DURATION, rate: RATE, connections: CONNECTIONS, prefix: "LOAD" });
  const opsAfter = await db.commands();
  await sleep(500);

  const client = new MongoClient(db.uri);
  await client.connect();
  const dbh = client.db(DB_NAME);
  const stored = await dbh.collection("messages").find({ orgId, direction: "inbound", waMessageId: { $regex: "^wamid\\.LOAD" } }, { projection: { waMessageId: 1 } }).toArray();
  const storedIds = stored.map((d) => d.waMessageId as string);
  const distinct = new Set(storedIds);
  const lost = [...load.acked].filter((w) => !distinct.has(w)).length;
  const duplicated = storedIds.length - distinct.size;
  const unread = (await dbh.collection("conversations").find({ orgId }, { projection: { unreadCount: 1 } }).toArray()).reduce((n, c) => n + (c.unreadCount as number), 0);
  const inboundTotal = await dbh.collection("messages").countDocuments({ orgId, direction: "inbound" });
  const eventsStored = await dbh.collection("webhook_events").countDocuments({ outcome: { $ne: "processed" } });
  // Every acknowledged status is in its message's history exactly once, and the status is the highest one.
  const rank: Record<string, number> = { pending: 0, sent: 1, delivered: 2, read: 3 };
  const outbound = await dbh.collection("messages").find({ orgId, direction: "outbound" }, { projection: { waMessageId: 1, status: 1, statusHistory: 1 } }).toArray();
  let statusesLost = 0;
  let statusesDuplicated = 0;
  let statusWrong = 0;
  for (const m of outbound) {
    const history = (m.statusHistory as { status: string }[]).map((h) => h.status);
    const acked = ["sent", "delivered", "read"].filter((st) => load.ackedStatuses.has(`${m.waMessageId} ${st}`));
    statusesLost += acked.filter((st) => !history.includes(st)).length;
    statusesDuplicated += history.length - new Set(history).size;
    const top = history.reduce((a, b) => (rank[b]! > rank[a]! ? b : a), "pending");
    if (m.status !== top) statusWrong++;
  }
  await client.close();

  const ceiling = await frameworkCeiling(appUrl);
  const baseline = await rawBaseline(db.uri, orgId, accountId, 6000);
  const events = load.kinds.message! + load.kinds.status!;
  const eps = events / load.seconds;
  const p = (q: number) => percentile(load.latencies, q);
  const report = {
    backend: db.backend,
    durationSeconds: Number(load.seconds.toFixed(1)),
    offeredRate: RATE || "unlimited",
    connections: CONNECTIONS,
    events,
    messages: load.kinds.message,
    statuses: load.kinds.status,
    eventsPerSecond: Number(eps.toFixed(1)),
    latencyMs: { p50: p(50), p95: p(95), p99: p(99), max: load.latencies.at(-1) },
    errors: { non2xx: load.non2xx, socket: load.errors },
    opsPerInboundMessage: { knownContact: Number(knownContact.perDelivery.toFixed(2)), newContact: Number(newContact.perDelivery.toFixed(2)), byCommand: knownContact.byCommand },
    opsPerStatus: Number(statuses.perDelivery.toFixed(2)),
    opsPerEventUnderLoad: Number((dataOps(opsBefore, opsAfter) / Math.max(1, events)).toFixed(2)),
    followUpsPublished: sink.published() - publishedBefore,
    rawBaseline: { eventsPerSecond: Number(baseline.eventsPerSecond.toFixed(1)), opsPerEvent: Number(baseline.opsPerEvent.toFixed(2)) },
    ratioToRawBaseline: Number((eps / baseline.eventsPerSecond).toFixed(2)),
    frameworkCeilingRequestsPerSecond: Math.round(ceiling),
    integrity: { acknowledged: load.acked.size, stored: storedIds.length, lost, duplicated, unreadSum: unread, inboundStored: inboundTotal, notProcessedEnvelopes: eventsStored },
    statusIntegrity: { acknowledged: load.ackedStatuses.size, lost: statusesLost, duplicated: statusesDuplicated, messagesWithWrongStatus: statusWrong },
  };
  console.log("\n[bench] results");
  console.log(`  events/s            ${report.eventsPerSecond} (${report.messages} messages + ${report.statuses} statuses in ${report.durationSeconds} s)`);
  console.log(`  latency ms          p50 ${report.latencyMs.p50}  p95 ${report.latencyMs.p95}  p99 ${report.latencyMs.p99}  max ${report.latencyMs.max}`);
  console.log(`  errors              non-2xx ${JSON.stringify(report.errors.non2xx)}  socket/timeouts ${report.errors.socket}`);
  console.log(`  DB ops / inbound    ${report.opsPerInboundMessage.knownContact} known contact, ${report.opsPerInboundMessage.newContact} new contact ${JSON.stringify(report.opsPerInboundMessage.byCommand)}`);
  console.log(`  DB ops / status     ${report.opsPerStatus}; all events under load ${report.opsPerEventUnderLoad}`);
  console.log(`  raw-driver baseline ${report.rawBaseline.eventsPerSecond} events/s (${report.rawBaseline.opsPerEvent} ops/event: the envelope, message and conversation writes alone); route/baseline ${report.ratioToRawBaseline}`);
  console.log(`  framework ceiling   ${report.frameworkCeilingRequestsPerSecond} requests/s on the no-database handshake route (Next.js alone)`);
  console.log(`  integrity           ${report.integrity.acknowledged} acknowledged, ${report.integrity.stored} stored, ${lost} lost, ${duplicated} duplicated; unread sum ${unread} for ${inboundTotal} inbound`);
  console.log(`  statuses            ${report.statusIntegrity.acknowledged} acknowledged, ${statusesLost} lost, ${statusesDuplicated} duplicated in a history, ${statusWrong} messages not at their highest status`);
  console.log(`  follow-ups          ${report.followUpsPublished} jobs published to the QStash sink`);
  console.log(JSON.stringify(report));
  const exact = lost === 0 && duplicated === 0 && unread === inboundTotal && statusesLost === 0 && statusesDuplicated === 0 && statusWrong === 0;
  const ok = eps >= FLOOR.eventsPerSecond && report.latencyMs.p99 < FLOOR.p99Ms && knownContact.perDelivery <= FLOOR.opsPerInbound && exact;
  console.log(
    ok
      ? "[bench] floor met"
      : `[bench] FLOOR NOT MET (>= ${FLOOR.eventsPerSecond} events/s, p99 < ${FLOOR.p99Ms} ms, <= ${FLOOR.opsPerInbound} ops per inbound message, nothing lost or duplicated: messages, unread counts, statuses)`,
  );
  return ok;
}

runBench(main);
