/**
 * npm run bench:webhook — the WhatsApp webhook under load, on a production build.
 *
 * Starts the local database (scripts/lib/local-db.ts: MONGODB_URI if set, else a mongod from
 * mongodb-memory-server where one can be had, else mongo-java-server's memory backend), seeds one
 * organization with a WhatsApp number, BENCH_CONTACTS customers with their live conversations, and
 * outbound messages for statuses to land on, builds (`NEXT_DIST_DIR=.next-bench next build`), then:
 * 1. calibration, on a server started with DB_COMMAND_LOG (lib/db/command-log.ts): sequential
 *    deliveries, counting the database commands per inbound message and per status;
 * 2. load, on a server without the log (command monitoring costs CPU): autocannon sends signed,
 *    Meta-shaped envelopes, ~70% inbound text messages across the customers and ~30% statuses
 *    (each outbound message's sent, delivered and read in turn), at BENCH_RATE for BENCH_DURATION
 *    (latency, app-server CPU per event from /proc), then as fast as it answers for
 *    BENCH_SATURATION seconds (the achieved events/s);
 * 3. the raw-driver baseline: the writes the route cannot avoid, straight through the driver,
 *    with the same concurrency and as many events as the load, on a second database seeded the
 *    same way (the local engines scan, so both start from the same data).
 * It checks that every acknowledged message is stored exactly once, unread counts add up and every
 * acknowledged status is in its history once, and prints PASS/FAIL per floor (issue 9).
 * Follow-up jobs are published to a QStash-compatible sink that accepts and counts them, so the
 * route's own enqueue cost is measured while the jobs (separate invocations in production) do not
 * compete for these 2 cores.
 *
 * Env: BENCH_DURATION (60 s), BENCH_RATE (offered requests/s, 330), BENCH_SATURATION (20 s; 0
 * skips it), BENCH_CONNECTIONS (64), BENCH_CONTACTS (2000), BENCH_SKIP_BUILD=true reuses the build,
 * BENCH_DIST_DIR (.next-bench) when another benchmark's server is serving that folder.
 */
import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { MongoClient, ObjectId, type Db } from "mongodb";
import { buildNext } from "../lib/next-process";
import { describeDb, freePort, startLocalDatabase } from "../lib/local-db";
import { onStop, percentile, processTreeCpuMs, runBench, sleep, startApp } from "./lib/app-server";

const ROOT = path.resolve(__dirname, "../..");
const DIST = process.env.BENCH_DIST_DIR ?? ".next-bench";
const DURATION = Number(process.env.BENCH_DURATION ?? 60);
const RATE = Number(process.env.BENCH_RATE ?? 330);
const SATURATION = Number(process.env.BENCH_SATURATION ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 2000);
/** Outbound messages: [0, LOAD_OUTBOUND) get the load's statuses, the next 100 calibration's, the rest the baseline's. */
const LOAD_OUTBOUND = 6000;
const CALIBRATION_OUTBOUND = LOAD_OUTBOUND;
const BASELINE_OUTBOUND = LOAD_OUTBOUND + 100;
const OUTBOUND = 9000;
/** Issue 9, item 6. */
const FLOOR = { ratioToBaseline: 0.5, cpuMsPerEvent: 3, opsPerInbound: 3 };
const TARGET = { eventsPerSecond: 300, p99Ms: 250 };

const APP_SECRET = "bench-app-secret";
const PHONE_NUMBER_ID = "106540352242922";
const WABA_ID = "102290129340398";
const DB_NAME = `bench_webhook_${Date.now()}`;

const sign = (body: string) => `sha256=${createHmac("sha256", APP_SECRET).update(body).digest("hex")}`;

// ---------- Meta-shaped envelopes ----------
const texts = ["Hi! Is my order #4821 shipped yet?", "Do you deliver to Lyon?", "Thanks, that works", "What are your opening hours on Sunday?", "Can I change the size to M?", "ok", "Perfect 👍", "I never received the invoice"];
const phoneOf = (i: number) => `1650${String(5_000_000 + i).padStart(7, "0")}`;
const outboundWamid = (i: number) => `wamid.BENCHOUT${String(i).padStart(6, "0")}`;
const ladder = ["sent", "delivered", "read"] as const;
type Ladder = (typeof ladder)[number];

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
function statusUpdate(i: number, status: Ladder) {
  return envelope({
    statuses: [{
      id: outboundWamid(i), status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: phoneOf(i % CONTACTS),
      pricing: { billable: false, pricing_model: "PMP", type: "free_customer_service", category: "service" },
    }],
  });
}

type Event = { kind: "message"; body: string; wamid: string; contact: number } | { kind: "status"; body: string; target: number; status: Ladder };

/** 7 messages for every 3 statuses, interleaved; each outbound message gets its sent, delivered and read in turn, as Meta reports them. */
function eventStream(prefix: string, outbound: { from: number; count: number }) {
  let n = 0;
  let statusCursor = 0;
  return (): Event => {
    n++;
    if (n % 10 < 7) {
      const contact = Math.floor(Math.random() * CONTACTS);
      const wamid = `wamid.${prefix}${n}`;
      return { kind: "message", body: inboundText(contact, wamid), wamid, contact };
    }
    const i = statusCursor++;
    const target = outbound.from + (Math.floor(i / 3) % outbound.count);
    return { kind: "status", body: statusUpdate(target, ladder[i % 3]!), target, status: ladder[i % 3]! };
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
type Seeded = { orgId: ObjectId; accountId: ObjectId; conversations: { _id: ObjectId; liveKey: string }[] };

/**
 * One organization and number; CONTACTS customers as the webhook leaves them after their first
 * message (contact with its live-conversation hint, the open conversation), so the load is the
 * usual case of customers already known; OUTBOUND sent messages awaiting their statuses.
 */
async function seed(db: Db): Promise<Seeded> {
  const { indexes } = await import("@/lib/db/indexes");
  const { defaultSettings } = await import("@/lib/schemas/settings");
  const { derivedId } = await import("@/lib/webhook/accounts");
  const { liveKeyOf } = await import("@/lib/webhook/conversations");
  const { searchTokens } = await import("@/lib/search/tokens");
  for (const [name, specs] of Object.entries(indexes)) if (specs.length) await db.collection(name).createIndexes(specs);
  const now = new Date();
  const orgId = new ObjectId();
  const accountId = new ObjectId();
  await db.collection("organizations").insertOne({ _id: orgId, name: "Bench Org", slug: `bench-${orgId.toHexString()}`, timezone: "UTC", createdAt: now, updatedAt: now });
  await db.collection("settings").insertOne({ ...defaultSettings, _id: new ObjectId(), orgId, updatedAt: now, updatedBy: null });
  await db.collection("whatsapp_accounts").insertOne({
    _id: accountId, orgId, phoneNumberId: PHONE_NUMBER_ID, wabaId: WABA_ID, displayPhoneNumber: "+1 555 0100", verifiedName: "Bench Co", accessToken: null,
    qualityRating: "GREEN", messagingLimit: "TIER_UNLIMITED", throughputMps: 80, status: "connected", events: [], tokenError: null, createdAt: now, updatedAt: now,
  });
  const conversations: Seeded["conversations"] = [];
  for (let start = 0; start < CONTACTS; start += 500) {
    const contacts = [];
    const convs = [];
    for (let i = start; i < Math.min(CONTACTS, start + 500); i++) {
      const phone = `+${phoneOf(i)}`;
      const name = `Customer ${i}`;
      const contactId = derivedId(orgId, `contact:${phone}`);
      const conversationId = new ObjectId();
      const liveKey = liveKeyOf(contactId, accountId);
      conversations.push({ _id: conversationId, liveKey });
      contacts.push({
        _id: contactId, orgId, identityKey: phone, phone, waId: phoneOf(i), bsuid: null, username: null, name, profileName: name, email: null, company: null, tags: [],
        customFields: {}, consent: { state: "unknown", marketing: false, changedAt: null, source: null }, source: { kind: "whatsapp", referral: null, at: now },
        lastInboundAt: now, searchTokens: searchTokens(name, phone), liveConversationIds: { [accountId.toHexString()]: conversationId }, createdAt: now, updatedAt: now,
      });
      convs.push({
        _id: conversationId, orgId, accountId, contactId, liveKey, status: "open", priority: "normal", assigneeId: null, tags: [], contact: { name, phone, identityKey: phone },
        lastMessage: null, lastActivityAt: now, lastCustomerMessageAt: null, unreadCount: 0, firstResponseAt: null, snoozedUntil: null, resolvedAt: null,
        ai: { enabled: true, confidence: null, handoverReason: null, consecutiveReplies: 0 }, source: null, searchTokens: searchTokens(name, phone), createdAt: now, updatedAt: now,
      });
    }
    await db.collection("contacts").insertMany(contacts);
    await db.collection("conversations").insertMany(convs);
  }
  // What the send service leaves: sent by an agent, pending, with its wamid.
  for (let start = 0; start < OUTBOUND; start += 1000) {
    await db.collection("messages").insertMany(
      Array.from({ length: Math.min(1000, OUTBOUND - start) }, (_, k) => {
        const i = start + k;
        return {
          _id: new ObjectId(), orgId, conversationId: conversations[i % CONTACTS]!._id, contactId: new ObjectId(), accountId, key: `out:bench-${i}`, waMessageId: outboundWamid(i),
          direction: "outbound", sender: "agent", senderUserId: null, type: "text", text: "Your order has shipped", payload: null, media: null,
          replyTo: null, reactions: [], edited: null, revokedAt: null, forwarded: "no", status: "pending", statusHistory: [{ status: "pending", at: now }],
          error: null, pricing: null, waConversation: null, sentAt: now, searchTokens: [], createdAt: now, updatedAt: now,
        };
      }),
    );
  }
  return { orgId, accountId, conversations };
}

// ---------- load ----------
type LoadResult = {
  ok: number;
  errors: number;
  non2xx: Record<string, number>;
  latencies: number[];
  seconds: number;
  /** wamids of acknowledged inbound messages. */
  acked: Set<string>;
  /** "wamid status" of acknowledged statuses. */
  ackedStatuses: Set<string>;
  kinds: { message: number; status: number };
};

function runLoad(url: string, opts: { duration?: number; amount?: number; rate: number; connections: number; prefix: string }): Promise<LoadResult> {
  const next = eventStream(opts.prefix, { from: 0, count: LOAD_OUTBOUND });
  const latencies: number[] = [];
  const acked = new Set<string>();
  const ackedStatuses = new Set<string>();
  const non2xx: Record<string, number> = {};
  const kinds = { message: 0, status: 0 };
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
              if (status !== 200) {
                non2xx[status] = (non2xx[status] ?? 0) + 1;
                return;
              }
              kinds[ev.kind]++;
              if (ev.kind === "message") acked.add(ev.wamid);
              else ackedStatuses.add(`${outboundWamid(ev.target)} ${ev.status}`);
            },
          },
        ],
      },
      (err: Error | null, result: autocannon.Result) => {
        if (err) return reject(err);
        resolve({ ok: result["2xx"], errors: result.errors + result.timeouts, non2xx, latencies: latencies.sort((a, b) => a - b), seconds: (Date.now() - started) / 1000, acked, ackedStatuses, kinds });
      },
    );
    instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
  });
}

/**
 * CPU time (ms) of the app server's process tree, of everything else this benchmark started (the
 * local database server), and of this process (autocannon, the QStash sink); since `from` when given.
 */
function cpuSplit(appPid: number, from?: { app: number; database: number; generator: number }) {
  const mine = process.cpuUsage();
  const generator = (mine.user + mine.system) / 1000;
  const app = processTreeCpuMs(appPid);
  const database = processTreeCpuMs(process.pid) - app - generator;
  const now = { app, database, generator };
  return from ? { app: app - from.app, database: database - from.database, generator: generator - from.generator } : now;
}

// ---------- database operations per delivery ----------
type CommandLine = { cmd: string; coll?: string };
const readCommands = (file: string): CommandLine[] =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as CommandLine) : [];

/** Sequential deliveries of one kind: database commands per delivery, in total and by command and collection. */
async function calibrate(url: string, log: string, bodies: string[]) {
  const before = readCommands(log).length;
  for (const body of bodies) {
    const res = await fetch(`${url}/api/webhooks/whatsapp`, { method: "POST", body, headers: { "content-type": "application/json", "x-hub-signature-256": sign(body) } });
    if (res.status !== 200) throw new Error(`calibration delivery answered ${res.status}: ${await res.text()}`);
  }
  const lines = readCommands(log).slice(before);
  const byCommand: Record<string, number> = {};
  for (const l of lines) byCommand[`${l.cmd} ${l.coll ?? ""}`.trim()] = (byCommand[`${l.cmd} ${l.coll ?? ""}`.trim()] ?? 0) + 1;
  const per = (n: number) => Number((n / bodies.length).toFixed(2));
  return { perDelivery: per(lines.length), byCommand: Object.fromEntries(Object.entries(byCommand).map(([k, v]) => [k, per(v)])) };
}

/**
 * What the route cannot avoid writing, straight through the driver with the same filters and the
 * same concurrency: per inbound message the raw envelope, the message and the conversation update;
 * per status the raw envelope, the message's conditional status update and the conversation's tick
 * update. No HTTP, no Next.js, no parsing, no contact or account reads, no batching: what this
 * database allows for the work on this machine.
 */
async function rawBaseline(uri: string, dbName: string, seeded: Seeded, events: number) {
  const client = new MongoClient(uri, { maxPoolSize: 20 });
  await client.connect();
  const db = client.db(dbName);
  const [messages, conversations, envelopes] = [db.collection("messages"), db.collection("conversations"), db.collection("webhook_events")];
  const { orgId, accountId } = seeded;
  const next = eventStream("RAW", { from: BASELINE_OUTBOUND, count: OUTBOUND - BASELINE_OUTBOUND });
  const below: Record<Ladder, (string | null)[]> = { sent: [null, "pending"], delivered: [null, "pending", "sent"], read: [null, "pending", "sent", "delivered"] };
  let n = 0;
  const started = Date.now();
  const worker = async () => {
    while (n < events) {
      n++;
      const ev = next();
      const now = new Date();
      await envelopes.insertOne({
        _id: new ObjectId(), source: "whatsapp", bodyHash: createHmac("sha256", "x").update(ev.body).digest("hex"), rawBody: ev.body, receivedAt: now, orgId,
        outcome: "processed", reason: null, counts: { messages: ev.kind === "message" ? 1 : 0, statuses: ev.kind === "status" ? 1 : 0, other: 0 }, attempts: 1, lastProcessedAt: now,
      });
      if (ev.kind === "message") {
        const conversation = seeded.conversations[ev.contact]!;
        const text = texts[ev.contact % texts.length]!;
        await messages.insertOne({
          _id: new ObjectId(), orgId, conversationId: conversation._id, contactId: new ObjectId(), accountId, key: `wa:${ev.wamid}`, waMessageId: ev.wamid,
          direction: "inbound", sender: "customer", senderUserId: null, type: "text", text, payload: null, media: null, replyTo: null, reactions: [],
          edited: null, revokedAt: null, forwarded: "no", status: null, statusHistory: [], error: null, pricing: null, waConversation: null, sentAt: now, searchTokens: [], createdAt: now, updatedAt: now,
        });
        await conversations.updateOne(
          { _id: conversation._id, liveKey: conversation.liveKey, status: { $nin: ["resolved", "snoozed"] }, $or: [{ lastMessage: null }, { "lastMessage.at": { $lte: now } }], orgId },
          { $set: { updatedAt: now, lastMessage: { preview: text, type: "text", sender: "customer", status: null, at: now } }, $max: { lastActivityAt: now, lastCustomerMessageAt: now }, $inc: { unreadCount: 1 } },
        );
      } else {
        const moved = await messages.findOneAndUpdate(
          { waMessageId: outboundWamid(ev.target), status: { $in: below[ev.status] }, "statusHistory.status": { $ne: ev.status }, orgId },
          { $set: { updatedAt: now, status: ev.status, pricing: { billable: false } }, $push: { statusHistory: { status: ev.status, at: now } } } as never,
          { projection: { conversationId: 1, sentAt: 1 } },
        );
        if (moved) {
          await conversations.updateOne(
            { _id: moved.conversationId, "lastMessage.at": moved.sentAt, "lastMessage.sender": { $ne: "customer" }, "lastMessage.status": { $in: below[ev.status] }, orgId },
            { $set: { "lastMessage.status": ev.status, updatedAt: now } },
          );
        }
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const seconds = (Date.now() - started) / 1000;
  await client.close();
  return { eventsPerSecond: events / seconds };
}

/** The app's cheapest real route (Meta's verification handshake: no database), as fast as it answers: what Next.js alone costs here. */
async function frameworkCeiling(url: string): Promise<number> {
  const result = await new Promise<autocannon.Result>((resolve, reject) =>
    autocannon({ url: `${url}/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=bench-verify-token&hub.challenge=42`, connections: CONNECTIONS, duration: 10 }, (err, r) => (err ? reject(err) : resolve(r))),
  );
  if (result.non2xx > 0) throw new Error(`handshake answered ${result.non2xx} non-2xx responses`);
  return result.requests.average;
}

/** What the load left: every acknowledged message stored once, unread counts adding up, every acknowledged status in its history once. */
async function integrity(db: Db, orgId: ObjectId, acked: Set<string>, ackedStatuses: Set<string>) {
  const stored = await db.collection("messages").find({ orgId, direction: "inbound", waMessageId: /^wamid\.(LOAD|SAT)/ }, { projection: { waMessageId: 1 } }).toArray();
  const storedIds = stored.map((d) => d.waMessageId as string);
  const distinct = new Set(storedIds);
  const lost = [...acked].filter((w) => !distinct.has(w)).length;
  const duplicated = storedIds.length - distinct.size;
  const unreadSum = (await db.collection("conversations").find({ orgId }, { projection: { unreadCount: 1 } }).toArray()).reduce((n, c) => n + (c.unreadCount as number), 0);
  const inboundStored = await db.collection("messages").countDocuments({ orgId, direction: "inbound" });
  const notProcessed = await db.collection("webhook_events").countDocuments({ outcome: { $ne: "processed" } });
  const rank: Record<string, number> = { pending: 0, sent: 1, delivered: 2, read: 3 };
  const outbound = await db.collection("messages").find({ orgId, direction: "outbound" }, { projection: { waMessageId: 1, status: 1, statusHistory: 1 } }).toArray();
  let statusesLost = 0;
  let statusesDuplicated = 0;
  let wrongStatus = 0;
  for (const m of outbound) {
    const history = (m.statusHistory as { status: string }[]).map((h) => h.status);
    statusesLost += ladder.filter((st) => ackedStatuses.has(`${m.waMessageId} ${st}`) && !history.includes(st)).length;
    statusesDuplicated += history.length - new Set(history).size;
    const top = history.reduce((a, b) => (rank[b]! > rank[a]! ? b : a), "pending");
    if (m.status !== top) wrongStatus++;
  }
  return { acknowledged: acked.size, stored: storedIds.length, lost, duplicated, unreadSum, inboundStored, notProcessed, statuses: { acknowledged: ackedStatuses.size, lost: statusesLost, duplicated: statusesDuplicated, wrongStatus } };
}

async function main(): Promise<boolean> {
  const dbServer = await startLocalDatabase({ persistent: false });
  onStop(dbServer.stop);
  const engine = dbServer.engine === "external" ? "the database at MONGODB_URI" : dbServer.engine;
  console.log(`[bench] database: ${describeDb(dbServer)}, database ${DB_NAME}`);
  const sink = await startQstashSink();
  onStop(sink.stop);
  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_DIST_DIR: DIST,
    NEXT_TELEMETRY_DISABLED: "1",
    MONGODB_URI: dbServer.uri,
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
  delete env.DB_COMMAND_LOG;
  const client = new MongoClient(dbServer.uri);
  await client.connect();
  onStop(() => client.close());
  const db = client.db(DB_NAME);
  const seeded = await seed(db);
  console.log(`[bench] seeded 1 organization, 1 WhatsApp number, ${CONTACTS} customers with their conversations, ${OUTBOUND} outbound messages`);
  buildNext(DIST, env, { reuse: process.env.BENCH_SKIP_BUILD === "true", cwd: ROOT });

  // 1. Calibration: database commands per delivery, from the command log of a server that writes one.
  const logDir = mkdtempSync(path.join(os.tmpdir(), "bench-webhook-"));
  onStop(async () => rmSync(logDir, { recursive: true, force: true }));
  const commandLog = path.join(logDir, "commands.jsonl");
  const logging = await startApp(appPort, { ...env, DB_COMMAND_LOG: commandLog }, ROOT);
  // Customers 0-49 become known to this server (its recent-contact cache), the last 50 stay unseen.
  await calibrate(appUrl, commandLog, Array.from({ length: 100 }, (_, i) => inboundText(i % 50, `wamid.CALWARM${i}`)));
  const known = await calibrate(appUrl, commandLog, Array.from({ length: 200 }, (_, i) => inboundText(i % 50, `wamid.CALKNOWN${i}`)));
  const coldKnown = await calibrate(appUrl, commandLog, Array.from({ length: 50 }, (_, i) => inboundText(CONTACTS - 1 - i, `wamid.CALCOLD${i}`)));
  const fresh = await calibrate(appUrl, commandLog, Array.from({ length: 50 }, (_, i) => inboundText(CONTACTS + 10_000 + i, `wamid.CALNEW${i}`)));
  const statuses = await calibrate(appUrl, commandLog, Array.from({ length: 100 }, (_, i) => statusUpdate(CALIBRATION_OUTBOUND + i, "sent")));
  if (readCommands(commandLog).length === 0) throw new Error("the app wrote no command log: is DB_COMMAND_LOG supported by lib/db/client.ts?");
  await logging.stop();
  console.log(`[bench] calibration: ${known.perDelivery} database operations per inbound message (known customer), ${coldKnown.perDelivery} (known customer, first seen by this server), ${fresh.perDelivery} (new customer), ${statuses.perDelivery} per status`);

  // 2. Load, on a server without the command log.
  const app = await startApp(appPort, env, ROOT);
  console.log(`[bench] app (production build) at ${appUrl}`);
  await runLoad(appUrl, { amount: 400, rate: 0, connections: 8, prefix: "WARM" });
  const publishedBefore = sink.published();
  console.log(`[bench] load: ${DURATION} s, ${RATE || "unlimited"} requests/s offered, ${CONNECTIONS} connections, 70% messages / 30% statuses...`);
  const cpuBefore = cpuSplit(app.pid);
  const load = await runLoad(appUrl, { duration: DURATION, rate: RATE, connections: CONNECTIONS, prefix: "LOAD" });
  const cpu = cpuSplit(app.pid, cpuBefore);
  const cpuMs = cpu.app;
  const published = sink.published() - publishedBefore;
  let saturation: LoadResult | null = null;
  let saturationCpu: ReturnType<typeof cpuSplit> | null = null;
  if (SATURATION > 0) {
    console.log(`[bench] saturation: ${SATURATION} s as fast as the app answers, ${CONNECTIONS} connections...`);
    const before = cpuSplit(app.pid);
    saturation = await runLoad(appUrl, { duration: SATURATION, rate: 0, connections: CONNECTIONS, prefix: "SAT" });
    saturationCpu = cpuSplit(app.pid, before);
  }
  await sleep(500);
  const acked = new Set([...load.acked, ...(saturation?.acked ?? [])]);
  const ackedStatuses = new Set([...load.ackedStatuses, ...(saturation?.ackedStatuses ?? [])]);
  const check = await integrity(db, seeded.orgId, acked, ackedStatuses);
  const ceiling = await frameworkCeiling(appUrl);
  await app.stop();

  // 3. The raw-driver baseline, from the same seed, for as many events as the load.
  const events = load.kinds.message + load.kinds.status;
  const eps = events / load.seconds;
  const satEvents = saturation ? saturation.kinds.message + saturation.kinds.status : 0;
  const satEps = saturation ? satEvents / saturation.seconds : 0;
  const achieved = Math.max(eps, satEps);
  const rawDb = `${DB_NAME}_raw`;
  const baseline = await rawBaseline(dbServer.uri, rawDb, await seed(client.db(rawDb)), events);

  const ms = (sorted: number[], q: number) => Math.round(percentile(sorted, q) * 10) / 10;
  const p = (q: number) => ms(load.latencies, q);
  const report = {
    engine,
    durationSeconds: Number(load.seconds.toFixed(1)),
    offeredRate: RATE || "unlimited",
    connections: CONNECTIONS,
    events,
    messages: load.kinds.message,
    statuses: load.kinds.status,
    eventsPerSecond: Number(eps.toFixed(1)),
    latencyMs: { p50: p(50), p95: p(95), p99: p(99), max: p(100) },
    errors: { non2xx: load.non2xx, socket: load.errors, saturationNon2xx: saturation?.non2xx ?? {}, saturationSocket: saturation?.errors ?? 0 },
    appCpuMsPerEvent: Number((cpuMs / Math.max(1, events)).toFixed(2)),
    cpuMsPerEvent: { app: Number((cpu.app / Math.max(1, events)).toFixed(2)), database: Number((cpu.database / Math.max(1, events)).toFixed(2)), loadGenerator: Number((cpu.generator / Math.max(1, events)).toFixed(2)) },
    saturationEventsPerSecond: Number(satEps.toFixed(1)),
    saturationLatencyMs: saturation ? { p50: ms(saturation.latencies, 50), p99: ms(saturation.latencies, 99) } : null,
    saturationCpuMsPerEvent: saturationCpu && satEvents ? { app: Number((saturationCpu.app / satEvents).toFixed(2)), database: Number((saturationCpu.database / satEvents).toFixed(2)), loadGenerator: Number((saturationCpu.generator / satEvents).toFixed(2)) } : null,
    achievedEventsPerSecond: Number(achieved.toFixed(1)),
    rawBaselineEventsPerSecond: Number(baseline.eventsPerSecond.toFixed(1)),
    ratioToRawBaseline: Number((achieved / baseline.eventsPerSecond).toFixed(2)),
    opsPerInboundMessage: { knownCustomer: known.perDelivery, knownCustomerFirstSeen: coldKnown.perDelivery, newCustomer: fresh.perDelivery, byCommand: known.byCommand },
    opsPerStatus: { perDelivery: statuses.perDelivery, byCommand: statuses.byCommand },
    followUpsPublished: published,
    frameworkCeilingRequestsPerSecond: Math.round(ceiling),
    integrity: check,
  };
  const exact = check.lost === 0 && check.duplicated === 0 && check.unreadSum === check.inboundStored && check.statuses.lost === 0 && check.statuses.duplicated === 0 && check.statuses.wrongStatus === 0;
  const floors = [
    { name: `events/s >= ${FLOOR.ratioToBaseline} x raw-driver baseline`, ok: report.ratioToRawBaseline >= FLOOR.ratioToBaseline, value: `${report.achievedEventsPerSecond} vs ${report.rawBaselineEventsPerSecond} (${report.ratioToRawBaseline})` },
    { name: `app-server CPU <= ${FLOOR.cpuMsPerEvent} ms per event`, ok: report.appCpuMsPerEvent <= FLOOR.cpuMsPerEvent, value: `${report.appCpuMsPerEvent} ms` },
    { name: `database operations <= ${FLOOR.opsPerInbound} per inbound message`, ok: known.perDelivery <= FLOOR.opsPerInbound, value: `${known.perDelivery} (known customer)` },
    { name: "0 lost, 0 duplicated, unread counts exact", ok: exact, value: `${check.lost} lost, ${check.duplicated} duplicated, unread ${check.unreadSum} for ${check.inboundStored} inbound; statuses ${check.statuses.lost} lost, ${check.statuses.duplicated} duplicated, ${check.statuses.wrongStatus} not at their highest` },
  ];
  const targetMet = eps >= TARGET.eventsPerSecond && report.latencyMs.p99 < TARGET.p99Ms;

  console.log(`\n[bench] results (${engine})`);
  console.log(`  events/s            ${report.eventsPerSecond} at ${report.offeredRate} offered (${report.messages} messages + ${report.statuses} statuses in ${report.durationSeconds} s)`);
  console.log(`  latency ms          p50 ${report.latencyMs.p50}  p95 ${report.latencyMs.p95}  p99 ${report.latencyMs.p99}  max ${report.latencyMs.max}`);
  console.log(`  errors              non-2xx ${JSON.stringify(report.errors.non2xx)}  socket/timeouts ${report.errors.socket}`);
  console.log(`  CPU ms per event    app server ${report.cpuMsPerEvent.app}, database ${report.cpuMsPerEvent.database}, load generator ${report.cpuMsPerEvent.loadGenerator} (${Math.round(cpuMs)} ms of app CPU over the load)`);
  if (report.saturationLatencyMs && report.saturationCpuMsPerEvent) {
    console.log(`  saturation          ${report.saturationEventsPerSecond} events/s (p50 ${report.saturationLatencyMs.p50} ms, p99 ${report.saturationLatencyMs.p99} ms); CPU ms per event: app server ${report.saturationCpuMsPerEvent.app}, database ${report.saturationCpuMsPerEvent.database}, load generator ${report.saturationCpuMsPerEvent.loadGenerator}`);
  }
  console.log(`  raw-driver baseline ${report.rawBaselineEventsPerSecond} events/s (the envelope, message and conversation writes alone, same seed, ${events} events); best route rate ${report.achievedEventsPerSecond}, ratio ${report.ratioToRawBaseline}`);
  console.log(`  DB ops / inbound    ${known.perDelivery} known customer, ${coldKnown.perDelivery} first seen by this server, ${fresh.perDelivery} new customer ${JSON.stringify(known.byCommand)}`);
  console.log(`  DB ops / status     ${statuses.perDelivery} ${JSON.stringify(statuses.byCommand)}`);
  console.log(`  framework ceiling   ${report.frameworkCeilingRequestsPerSecond} requests/s on the no-database handshake route (Next.js alone)`);
  console.log(`  integrity           ${check.acknowledged} acknowledged, ${check.stored} stored, ${check.lost} lost, ${check.duplicated} duplicated; unread sum ${check.unreadSum} for ${check.inboundStored} inbound`);
  console.log(`  statuses            ${check.statuses.acknowledged} acknowledged, ${check.statuses.lost} lost, ${check.statuses.duplicated} duplicated in a history, ${check.statuses.wrongStatus} messages not at their highest status`);
  console.log(`  follow-ups          ${published} jobs published to the QStash sink during the load`);
  console.log(JSON.stringify(report));
  console.log("\n[bench] floors");
  for (const f of floors) console.log(`  ${f.ok ? "PASS" : "FAIL"}  ${f.name}: ${f.value}`);
  console.log(
    `  target ${targetMet ? "met" : "not met"}: ${TARGET.eventsPerSecond} events/s with p99 < ${TARGET.p99Ms} ms (${report.eventsPerSecond} events/s, p99 ${report.latencyMs.p99} ms at ${report.offeredRate} offered)` +
      (targetMet ? "" : `; saturation ${report.saturationEventsPerSecond} events/s, the Next.js handshake route alone ${report.frameworkCeilingRequestsPerSecond} requests/s, the raw driver ${report.rawBaselineEventsPerSecond} events/s on ${engine}; CPU per event: app ${report.cpuMsPerEvent.app} ms, database ${report.cpuMsPerEvent.database} ms on 2 cores`),
  );
  return floors.every((f) => f.ok);
}

runBench(main);
