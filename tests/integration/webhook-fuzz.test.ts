import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { MongoNetworkError, MongoServerError, type ObjectId } from "mongodb";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as getMessages } from "@/app/api/conversations/[id]/messages/route";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { env } from "@/lib/env";
import { request, routeParams } from "../support/factories";
import { envelope, fixture, forAccount, orgWithAccount, postWebhook, textMessage, type TestAccount } from "../support/whatsapp-webhook";

/**
 * Meta retries a non-2xx for 7 days, so a payload that can never succeed must be acknowledged
 * (and recorded), and nothing may be half-written. Thousands of signed, mutated copies of the real
 * fixtures (wrong types, nulls, `$` and dotted keys, huge arrays, deep nesting, unicode), with a
 * fixed seed so a failure reproduces: FUZZ_SEED and FUZZ_RUNS override both.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2500);
const CONCURRENCY = 4;

/** mulberry32: small, fast, and the same sequence on every machine. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof prng>;
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const EVIL_KEYS = ["$where", "$set", "$gt", "$", "a.b", ".", "..", "$inc.x", "__proto__", "constructor", "prototype", "%24where", "ключ", "🔑", "", " ", "\u202e", "x".repeat(300)];
const EVIL_STRINGS = ["", " ", "null", "undefined", "0", "-1", "1e309", "NaN", "\u0000", "\ud800", "\udfff", "🙂‍↔️👨‍👩‍👧", "مرحبا بالعالم", "\u202egnp.exe", "<script>alert(1)</script>", "'; db.dropDatabase(); //", "{\"$gt\":\"\"}", "a".repeat(70_000), "١٢٣٤٥", "+1 (415) 555-0100", "wamid." + "Z".repeat(500)];

function evilValue(r: Rng, depth = 0): Json {
  switch (r.int(12)) {
    case 0:
      return null;
    case 1:
      return r.pick([0, -1, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, 1e-308]);
    case 2:
      return r.chance(0.5);
    case 3:
    case 4:
      return r.pick(EVIL_STRINGS);
    case 5:
      return { [r.pick(EVIL_KEYS)]: depth < 3 ? evilValue(r, depth + 1) : 1 };
    case 6:
      return { $where: "function() { while(true) {} }", $set: { orgId: null }, "a.b": { $gt: "" } };
    case 7: {
      // Deep nesting, past BSON's 100 levels sometimes.
      let v: Json = "bottom";
      for (let i = 0, n = 20 + r.int(150); i < n; i++) v = r.chance(0.5) ? { [r.pick(["$x", "d.e", "n"])]: v } : [v];
      return v;
    }
    case 8:
      return Array.from({ length: 50 + r.int(400) }, (_, i) => ({ i, [r.pick(EVIL_KEYS)]: i }));
    case 9:
      return [];
    case 10:
      return {};
    default:
      return depth < 2 ? [evilValue(r, depth + 1), evilValue(r, depth + 1)] : "leaf";
  }
}

/** Every (parent, key) in a JSON tree, to pick a mutation point from. */
function slots(root: Json): { parent: Json[] | { [k: string]: Json }; key: string | number }[] {
  const out: { parent: Json[] | { [k: string]: Json }; key: string | number }[] = [];
  const walk = (v: Json, depth: number) => {
    if (depth > 12 || v === null || typeof v !== "object") return;
    if (Array.isArray(v)) v.forEach((c, i) => (out.push({ parent: v, key: i }), walk(c, depth + 1)));
    else
      for (const k of Object.keys(v)) {
        out.push({ parent: v, key: k });
        walk(v[k]!, depth + 1);
      }
  };
  walk(root, 0);
  return out;
}

function mutate(r: Rng, payload: Json): Json {
  const copy = structuredClone(payload);
  for (let m = 0, n = 1 + r.int(3); m < n; m++) {
    const all = slots(copy);
    if (all.length === 0) break;
    const { parent, key } = r.pick(all);
    const op = r.int(6);
    if (Array.isArray(parent)) {
      const i = key as number;
      if (op === 0) parent.splice(i, 1);
      else if (op === 1) parent.push(...Array.from({ length: 1 + r.int(60) }, () => structuredClone(parent[i]!)));
      else parent[i] = evilValue(r);
    } else {
      const k = key as string;
      if (op === 0) delete parent[k];
      else if (op === 1 && parent[k] !== null && typeof parent[k] === "object") (parent[k] as { [k: string]: Json })[r.pick(EVIL_KEYS)] = evilValue(r);
      else if (op === 2) parent[r.pick(EVIL_KEYS)] = evilValue(r);
      else parent[k] = evilValue(r);
    }
  }
  return copy;
}

const FIXTURE_NAMES = readdirSync(path.resolve(__dirname, "../fixtures/whatsapp"))
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.replace(/\.json$/, ""));

const badKey = (k: string) => k.startsWith("$") || k.includes(".");
/** Paths of keys MongoDB could misread, anywhere in a stored value. */
function unsafeKeys(v: unknown, at = ""): string[] {
  if (v === null || typeof v !== "object" || v instanceof Date) return [];
  if (Array.isArray(v)) return v.flatMap((c, i) => unsafeKeys(c, `${at}[${i}]`));
  if (Object.getPrototypeOf(v) !== Object.prototype) return [];
  return Object.entries(v).flatMap(([k, c]) => [...(badKey(k) ? [`${at}.${k}`] : []), ...unsafeKeys(c, `${at}.${k}`)]);
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

let org: Awaited<ReturnType<typeof orgWithAccount>>;
let account: TestAccount;
beforeAll(async () => {
  org = await orgWithAccount();
  account = org.account;
});
afterEach(() => vi.restoreAllMocks());

describe("webhook fuzz", () => {
  it(`${RUNS} mutated, signed payloads: never a 5xx, every one recorded, nothing half-written (seed ${SEED})`, { timeout: 600_000 }, async () => {
    const r = prng(SEED);
    const bodies = Array.from({ length: RUNS }, (_, i) => {
      const base = forAccount(fixture(r.pick(FIXTURE_NAMES)), account) as Json;
      // Unique ids per run, so mutated copies do not all collapse into one message.
      const raw = JSON.stringify(mutate(r, base)).replace(/wamid\.[A-Za-z0-9=_-]{6,}/g, (m) => `${m}${i}`);
      return raw;
    });
    const statuses = new Map<number, number>();
    const acknowledged = new Map<string, number>();
    const problems: string[] = [];
    await mapLimit(bodies, CONCURRENCY, async (raw) => {
      const res = await postWebhook(raw);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      // Meta's own cap is far below ours; a mutated copy grown past it is refused before reading.
      const expected = Buffer.byteLength(raw) > env().WHATSAPP_WEBHOOK_MAX_BYTES ? 413 : 200;
      if (res.status !== expected) problems.push(`${res.status} (expected ${expected}) ${await res.text()} for ${raw.slice(0, 300)}`);
      if (res.status === 200) {
        const hash = createHash("sha256").update(raw).digest("hex");
        acknowledged.set(hash, (acknowledged.get(hash) ?? 0) + 1);
      }
    });
    // Valid JSON, signed, under the size cap: Meta always gets its 200.
    expect(problems.slice(0, 3)).toEqual([]);
    expect(statuses.get(200)).toBeGreaterThanOrEqual(RUNS * 0.95);

    // Every acknowledged delivery is on record, once per POST.
    const events = await rawCollection("webhook_events").find({ bodyHash: { $in: [...acknowledged.keys()] } }, { projection: { bodyHash: 1, outcome: 1 } }).toArray();
    const recorded = new Map<string, number>();
    for (const e of events) recorded.set(e.bodyHash, (recorded.get(e.bodyHash) ?? 0) + 1);
    expect(recorded).toEqual(acknowledged);
    const outcomes = new Set(events.map((e) => e.outcome));
    expect(outcomes.has("processed") && outcomes.has("unprocessed")).toBe(true);

    // Nothing half-written: every message has its conversation and contact, every conversation its
    // contact, and each conversation's unread count is exactly its customer messages (none read).
    const db = scoped(org.orgId);
    const [contacts, conversations, messages] = await Promise.all([
      db("contacts").find({}, { projection: { _id: 1, source: 1 } }).toArray(),
      db("conversations").find({}, { projection: { _id: 1, contactId: 1, unreadCount: 1 } }).toArray(),
      db("messages").find({}, { projection: { _id: 1, conversationId: 1, contactId: 1, sender: 1, payload: 1, pricing: 1, waConversation: 1 } }).toArray(),
    ]);
    expect(messages.length).toBeGreaterThan(100);
    const ids = (xs: { _id: ObjectId }[]) => new Set(xs.map((x) => x._id.toHexString()));
    const contactIds = ids(contacts);
    const conversationIds = ids(conversations);
    expect(messages.filter((m) => !conversationIds.has(m.conversationId.toHexString()) || !contactIds.has(m.contactId.toHexString())).map((m) => m._id)).toEqual([]);
    expect(conversations.filter((c) => !contactIds.has(c.contactId.toHexString())).map((c) => c._id)).toEqual([]);
    const customer = new Map<string, number>();
    for (const m of messages) if (m.sender === "customer") customer.set(m.conversationId.toHexString(), (customer.get(m.conversationId.toHexString()) ?? 0) + 1);
    expect(conversations.filter((c) => c.unreadCount !== (customer.get(c._id.toHexString()) ?? 0)).map((c) => ({ id: c._id, unread: c.unreadCount, customer: customer.get(c._id.toHexString()) }))).toEqual([]);

    // Meta's free-form objects are stored with safe keys.
    const [orphans, accounts] = await Promise.all([db("orphan_statuses").find({}).toArray(), db("whatsapp_accounts").find({}).toArray()]);
    expect(messages.flatMap((m) => unsafeKeys({ payload: m.payload, pricing: m.pricing, waConversation: m.waConversation }))).toEqual([]);
    expect(contacts.flatMap((c) => unsafeKeys(c.source))).toEqual([]);
    expect(orphans.flatMap((o) => unsafeKeys(o.raw))).toEqual([]);
    expect(accounts.flatMap((a) => unsafeKeys(a.events))).toEqual([]);
  });
});

describe("keys MongoDB could misread, from the probe", () => {
  it("stores `$` and dotted keys in a contact's profile, a message payload and a status's conversation escaped, answers 200, and shows them as Meta sent them", async () => {
    const { orgId, users, account } = await orgWithAccount();
    const inbound = envelope(account, {
      contacts: [{ profile: { name: "Probe", $where: "sleep(5000)" }, wa_id: "14155550142" }],
      messages: [
        {
          from: "14155550142",
          id: "wamid.dollar-keys-1",
          timestamp: String(Math.floor(Date.now() / 1000)),
          type: "interactive",
          interactive: { type: "button_reply", button_reply: { id: "b1", title: "Yes" }, $set: { orgId: null }, "a.b": "dotted" },
        },
      ],
    });
    const res = await postWebhook(inbound);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: "processed" });

    const status = envelope(account, {
      statuses: [{ id: "wamid.not-stored-yet", status: "delivered", timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: "14155550142", conversation: { id: "c1", $set: { status: "read" }, origin: { type: "service" } } }],
    });
    const statusRes = await postWebhook(status);
    expect(statusRes.status).toBe(200);

    const db = scoped(orgId);
    const message = await db("messages").findOne({ waMessageId: "wamid.dollar-keys-1" });
    expect(message!.payload).toEqual({ interactive: { type: "button_reply", button_reply: { id: "b1", title: "Yes" }, "%24set": { orgId: null }, "a%2Eb": "dotted" } });
    const orphan = await db("orphan_statuses").findOne({ waMessageId: "wamid.not-stored-yet" });
    expect(orphan!.raw).toMatchObject({ conversation: { id: "c1", "%24set": { status: "read" } } });

    const id = message!.conversationId.toHexString();
    const thread = await (await getMessages(await request(users.admin, `/api/conversations/${id}/messages`), routeParams({ id }))).json();
    expect(thread.messages.find((m: { waMessageId: string }) => m.waMessageId === "wamid.dollar-keys-1").payload).toEqual({
      interactive: { type: "button_reply", button_reply: { id: "b1", title: "Yes" }, $set: { orgId: null }, "a.b": "dotted" },
    });
  });
});

describe("what a retry can fix, and what it cannot", () => {
  it("answers 503 with Retry-After while the database is unreachable, and Meta's resend is stored once", async () => {
    const { orgId, account } = await orgWithAccount();
    const body = envelope(account, textMessage("14155550143", "wamid.db-down-1", "are you there?"));
    const { Collection } = await import("mongodb");
    const spy = vi.spyOn(Collection.prototype, "findOneAndUpdate").mockRejectedValue(new MongoNetworkError("connection 4 to 127.0.0.1:27017 closed"));
    const down = await postWebhook(body);
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toBe("5");
    expect((await down.json()).error.code).toBe("service_unavailable");
    spy.mockRestore();

    const again = await postWebhook(body);
    expect(again.status).toBe(200);
    expect(await scoped(orgId)("messages").countDocuments({ waMessageId: "wamid.db-down-1" })).toBe(1);
    expect(await scoped(orgId)("conversations").findOne({}, { projection: { unreadCount: 1 } })).toMatchObject({ unreadCount: 1 });
  });

  it("records a payload the database refuses as failed and acknowledges it (a retry would fail the same way)", async () => {
    const { orgId, account } = await orgWithAccount();
    const body = envelope(account, textMessage("14155550144", "wamid.refused-1", "hello"));
    const { Collection } = await import("mongodb");
    vi.spyOn(Collection.prototype, "findOneAndUpdate").mockRejectedValue(new MongoServerError({ code: 2, codeName: "BadValue", errmsg: "Document can't have $ prefixed field names" }));
    const res = await postWebhook(body);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: "failed" });
    vi.restoreAllMocks();
    const event = await rawCollection("webhook_events").findOne({ orgId, outcome: "failed" });
    expect(event!.reason).toMatch(/BadValue|prefixed/);
  });
});
