import { createHash, randomUUID } from "node:crypto";
import path from "node:path";
import { ObjectId } from "mongodb";
import type { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createApiKey, revokeApiKey } from "@/lib/api-keys/keys";
import { scoped } from "@/lib/db/scoped";
import { rawCollection } from "@/lib/db/collections";
import type { ApiScope, CreateApiKeyBody } from "@/lib/schemas/api-key";
import { createCampaign, getCampaign, startCampaign } from "@/lib/campaigns/campaigns";
import { campaignContacts, syncedTemplates, welcomeOfferInput } from "../support/campaign-fixtures";
import { createConversation } from "../support/conversation-fixtures";
import { createOrg, request } from "../support/factories";
import { ROOT } from "../support/access-declarations";
import { insertSimAccount, startSimulatedWhatsApp } from "../support/graph-sim";

/**
 * The public REST API end to end through its route handlers: key hashing, the 401/403/429
 * answers (whole error bodies), the rate limit shared by two module instances, lastUsedAt,
 * idempotent sends (also under concurrent retries), audit entries naming the key, pagination and
 * search, and tenancy (a key of one organization never sees another's data).
 */

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Org = Awaited<ReturnType<typeof createOrg>>;

let sim: Awaited<ReturnType<typeof startSimulatedWhatsApp>>;
let orgA: Org;
let orgB: Org;
let accountA: Awaited<ReturnType<typeof insertSimAccount>>;

beforeAll(async () => {
  sim = await startSimulatedWhatsApp();
  orgA = await createOrg("Org A");
  orgB = await createOrg("Org B");
  accountA = await insertSimAccount(orgA.orgId);
});

afterAll(async () => {
  await sim.sim.stop();
  await sim.capture.stop();
});

beforeEach(() => {
  sim.sim.sim.configure({ statusDelayMs: 5, enforceWindow: true });
});

async function route(file: string): Promise<Record<string, Handler>> {
  return (await import(path.join(ROOT, "app/api/v1", file, "route.ts"))) as Record<string, Handler>;
}

async function keyFor(org: Org, scopes: ApiScope[], extra: Partial<CreateApiKeyBody> = {}) {
  const admin = org.users.admin;
  return createApiKey(org.orgId, { id: admin._id, name: admin.name }, { name: `test ${randomUUID().slice(0, 6)}`, scopes, ...extra });
}

type CallOptions = { params?: Record<string, string>; query?: string; body?: unknown; secret?: string | null; headers?: Record<string, string> };
async function call(handler: Handler, method: string, url: string, opts: CallOptions = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.secret) headers.authorization = `Bearer ${opts.secret}`;
  const res = await handler(await request(null, `${url}${opts.query ?? ""}`, { method, body: opts.body, headers }), { params: Promise.resolve(opts.params ?? {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

const error = (code: string, message: string) => ({ error: { code, message } });

describe("API keys", () => {
  it("stores only the sha256 hash and a visible prefix of the secret", async () => {
    const { apiKey, secret } = await keyFor(orgA, ["contacts:read"]);
    expect(secret).toMatch(/^wcrm_[A-Za-z0-9_-]{43}$/);
    const stored = (await rawCollection("api_keys").findOne({ _id: apiKey._id }))!;
    expect(stored.hash).toBe(createHash("sha256").update(secret).digest("hex"));
    expect(stored.prefix).toBe(secret.slice(0, 13));
    expect(JSON.stringify(stored)).not.toContain(secret.slice(13));
  });

  it("records the key's creation in the audit log", async () => {
    const { apiKey } = await keyFor(orgA, ["contacts:read"]);
    const entry = await scoped(orgA.orgId)("activity_logs").findOne({ entityType: "api_key", entityId: apiKey._id, action: "api_key.created" });
    expect(entry).toMatchObject({ actorName: orgA.users.admin.name, after: { prefix: apiKey.prefix, scopes: ["contacts:read"] } });
  });
});

describe("authentication and scopes", () => {
  it.each([
    ["no Authorization header", () => Promise.resolve(null), {}, "Send the API key as Authorization: Bearer <key>"],
    ["a Basic header", () => Promise.resolve(null), { authorization: "Basic dXNlcjpwYXNz" }, "The Authorization header must be Bearer <key>"],
    ["an unknown key", () => Promise.resolve(`wcrm_${"x".repeat(43)}`), {}, "The API key is not valid"],
    [
      "a revoked key",
      async () => {
        const { apiKey, secret } = await keyFor(orgA, ["contacts:read"]);
        await revokeApiKey(orgA.orgId, { id: orgA.users.admin._id, name: "admin" }, apiKey._id);
        return secret;
      },
      {},
      "The API key has been revoked",
    ],
    [
      "an expired key",
      async () => {
        const { apiKey, secret } = await keyFor(orgA, ["contacts:read"]);
        await rawCollection("api_keys").updateOne({ _id: apiKey._id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
        return secret;
      },
      {},
      "The API key has expired",
    ],
  ] as const)("401 for %s", async (_name, secret, headers, message) => {
    const { GET } = await route("contacts");
    const res = await call(GET!, "GET", "/api/v1/contacts", { secret: await secret(), headers });
    expect({ status: res.status, body: res.body }).toEqual({ status: 401, body: error("unauthorized", message) });
  });

  it.each([
    ["another resource's scope", ["conversations:admin"]],
    ["a lower level of the resource", ["contacts:read"]],
  ] as const)("403 for %s", async (_name, scopes) => {
    const { secret } = await keyFor(orgA, [...scopes]);
    const { POST } = await route("contacts");
    const res = await call(POST!, "POST", "/api/v1/contacts", { secret, body: { phone: "+14155550100" } });
    expect({ status: res.status, body: res.body }).toEqual({ status: 403, body: error("forbidden", "This API key lacks the contacts:write scope") });
  });

  it("a higher level includes the lower ones", async () => {
    const { secret } = await keyFor(orgA, ["contacts:admin"]);
    const { GET } = await route("contacts");
    expect((await call(GET!, "GET", "/api/v1/contacts", { secret })).status).toBe(200);
  });

  it("refuses a body that fails validation with 422 and the field", async () => {
    const { secret } = await keyFor(orgA, ["contacts:write"]);
    const { POST } = await route("contacts");
    const res = await call(POST!, "POST", "/api/v1/contacts", { secret, body: { phone: "+14155550101", email: "not-an-email" } });
    expect({ status: res.status, body: res.body }).toEqual({ status: 422, body: error("unprocessable_entity", "email: must be a valid email address") });
  });

  it("writes lastUsedAt on use, at most once a minute", async () => {
    const { apiKey, secret } = await keyFor(orgA, ["contacts:read"]);
    const { GET } = await route("contacts");
    await call(GET!, "GET", "/api/v1/contacts", { secret });
    const first = (await rawCollection("api_keys").findOne({ _id: apiKey._id }))!.lastUsedAt;
    expect(first).toBeInstanceOf(Date);
    await call(GET!, "GET", "/api/v1/contacts", { secret });
    expect((await rawCollection("api_keys").findOne({ _id: apiKey._id }))!.lastUsedAt).toEqual(first);
  });
});

describe("rate limit", () => {
  it("counts one window per key across two instances of the app that share only the database", async () => {
    const { secret } = await keyFor(orgA, ["contacts:read"], { rateLimitPerMinute: 4 });
    const instanceA = (await route("contacts")).GET!;
    // A second module graph: its own wrapper, key and rate-limit modules, nothing shared in memory.
    vi.resetModules();
    const instanceB = (await route("contacts")).GET!;
    expect(instanceB).not.toBe(instanceA);
    // Windows are per wall-clock minute: start right after a boundary if the current one is about to end.
    const msLeft = 60_000 - (Date.now() % 60_000);
    if (msLeft < 5_000) await vi.waitFor(() => expect(Date.now() % 60_000).toBeLessThan(50_000), { timeout: 6_000, interval: 100 });
    const statuses: number[] = [];
    for (const handler of [instanceA, instanceB, instanceA, instanceB]) statuses.push((await call(handler, "GET", "/api/v1/contacts", { secret })).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
    for (const handler of [instanceA, instanceB]) {
      const res = await call(handler, "GET", "/api/v1/contacts", { secret });
      expect(res.status).toBe(429);
      expect(res.body).toEqual(error("rate_limited", expect.stringMatching(/^Rate limit of 4 requests per minute exceeded; retry after \d+ s$/)));
      const retryAfter = Number(res.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(res.headers.get("x-ratelimit-remaining")).toBe("0");
    }
  });

  it("keeps keys apart: another key of the same organization has its own window", async () => {
    const busy = await keyFor(orgA, ["contacts:read"], { rateLimitPerMinute: 1 });
    const other = await keyFor(orgA, ["contacts:read"], { rateLimitPerMinute: 1 });
    const { GET } = await route("contacts");
    await call(GET!, "GET", "/api/v1/contacts", { secret: busy.secret });
    expect((await call(GET!, "GET", "/api/v1/contacts", { secret: other.secret })).status).toBe(200);
  });
});

describe("contacts", () => {
  it("creates, reads, updates, tags, records consent and erases, each write audited with the key's name", async () => {
    const { apiKey, secret } = await keyFor(orgA, ["contacts:admin"]);
    const list = await route("contacts");
    const one = await route("contacts/[id]");
    const created = await call(list.POST!, "POST", "/api/v1/contacts", { secret, body: { phone: "+14155550123", name: "Ana Lopez", tags: ["lead"] } });
    expect(created.status).toBe(201);
    const contact = created.body!.contact as { id: string };
    const params = { id: contact.id };
    expect((await call(one.GET!, "GET", `/api/v1/contacts/${contact.id}`, { secret, params })).body).toMatchObject({ contact: { id: contact.id, phone: "+14155550123", name: "Ana Lopez" } });
    expect((await call(one.PATCH!, "PATCH", `/api/v1/contacts/${contact.id}`, { secret, params, body: { company: "Acme" } })).body).toMatchObject({ contact: { company: "Acme" } });
    const tags = await route("contacts/[id]/tags");
    expect((await call(tags.POST!, "POST", `/api/v1/contacts/${contact.id}/tags`, { secret, params, body: { add: ["VIP", "vip"], remove: ["lead"] } })).body).toMatchObject({ contact: { tags: ["vip"] } });
    const consent = await route("contacts/[id]/consent");
    expect((await call(consent.PUT!, "PUT", `/api/v1/contacts/${contact.id}/consent`, { secret, params, body: { state: "opted_out" } })).body).toMatchObject({
      contact: { consent: { state: "opted_out", marketing: false, source: "api" } },
    });
    const audit = await scoped(orgA.orgId)("activity_logs").find({ entityId: new ObjectId(contact.id) }, { sort: { at: 1 } }).toArray();
    expect(audit.map((a) => [a.action, a.actorName, a.actorId?.toHexString()])).toEqual(
      ["contact.created", "contact.updated", "contact.updated", "contact.consent_changed"].map((action) => [action, `API key "${apiKey.name}"`, apiKey._id.toHexString()]),
    );
    expect((await call(one.DELETE!, "DELETE", `/api/v1/contacts/${contact.id}`, { secret, params })).body).toEqual({ ok: true });
    expect(await call(one.GET!, "GET", `/api/v1/contacts/${contact.id}`, { secret, params })).toMatchObject({ status: 404, body: error("not_found", "Contact not found") });
  });

  it("records a contact's event, which converts their recipient of a campaign whose goal it is, once", async () => {
    const templates = await syncedTemplates(orgA.orgId, accountA._id);
    const tag = `evt${randomUUID().slice(0, 6)}`;
    const [buyer] = await campaignContacts(orgA.orgId, 1, () => ({ tags: [tag] }), 700);
    const actor = { id: orgA.users.admin._id, name: "Ada" };
    const campaign = await createCampaign(
      orgA.orgId,
      actor,
      welcomeOfferInput(templates.byName("welcome_offer")._id, { audience: { segmentId: null, definition: { match: "all", conditions: [{ field: "tags", op: "has_any", value: [tag] }] } }, conversion: { kind: "event", name: "purchase", windowHours: 72 } }),
    );
    sim.sim.sim.configure({ statusDelayMs: 5, enforceWindow: false });
    await startCampaign(orgA.orgId, actor, campaign._id);
    await expect.poll(async () => (await getCampaign(orgA.orgId, campaign._id)).counters.sent, { timeout: 20_000 }).toBe(1);
    const { secret } = await keyFor(orgA, ["contacts:write"]);
    const events = await route("contacts/[id]/events");
    const params = { id: buyer!._id.toHexString() };
    const post = (body: unknown, key = secret) => call(events.POST!, "POST", `/api/v1/contacts/${params.id}/events`, { secret: key, params, body });
    expect((await post({ name: "signup" })).body).toMatchObject({ name: "signup", conversions: 0 });
    expect((await post({ name: "purchase" })).body).toMatchObject({ name: "purchase", conversions: 1 });
    expect((await post({ name: "purchase" })).body).toMatchObject({ conversions: 0 });
    expect((await getCampaign(orgA.orgId, campaign._id)).counters.converted).toBe(1);
    expect(await post({ name: "purchase", at: new Date(Date.now() + 3600_000).toISOString() })).toMatchObject({ status: 422, body: error("unprocessable_entity", "at: an event cannot be in the future") });
    // Another organization's key does not reach the contact.
    expect((await post({ name: "purchase" }, (await keyFor(orgB, ["contacts:write"])).secret)).status).toBe(404);
  });

  it("pages with a cursor and searches", async () => {
    const org = await createOrg("Paging");
    const { secret } = await keyFor(org, ["contacts:write"]);
    const { GET, POST } = await route("contacts");
    for (let i = 0; i < 5; i++) await call(POST!, "POST", "/api/v1/contacts", { secret, body: { phone: `+1415555020${i}`, name: i === 3 ? "Zelda Quinn" : `Person ${i}` } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call(GET!, "GET", "/api/v1/contacts", { secret, query: `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}` });
      const contacts = page.body!.contacts as { id: string }[];
      expect(contacts.length).toBeLessThanOrEqual(2);
      seen.push(...contacts.map((c) => c.id));
      cursor = page.body!.nextCursor as string | null;
    } while (cursor);
    expect(new Set(seen).size).toBe(5);
    const found = await call(GET!, "GET", "/api/v1/contacts", { secret, query: "?q=zelda" });
    expect((found.body!.contacts as { name: string }[]).map((c) => c.name)).toEqual(["Zelda Quinn"]);
  });
});

describe("tenancy", () => {
  it("a key of organization A gets 404 for B's contact and conversation and changes nothing of B's", async () => {
    const account = await insertSimAccount(orgB.orgId, `pn-${randomUUID().slice(0, 8)}`);
    const { contact, conversation } = await createConversation(orgB.orgId, account._id);
    const { secret } = await keyFor(orgA, ["contacts:admin", "conversations:admin", "messages:admin"]);
    const id = contact._id.toHexString();
    const one = await route("contacts/[id]");
    const notFound = { status: 404, body: error("not_found", "Contact not found") };
    expect(await call(one.GET!, "GET", `/api/v1/contacts/${id}`, { secret, params: { id } })).toMatchObject(notFound);
    expect(await call(one.PATCH!, "PATCH", `/api/v1/contacts/${id}`, { secret, params: { id }, body: { name: "Taken" } })).toMatchObject(notFound);
    expect(await call(one.DELETE!, "DELETE", `/api/v1/contacts/${id}`, { secret, params: { id } })).toMatchObject(notFound);
    const tags = await route("contacts/[id]/tags");
    expect(await call(tags.POST!, "POST", `/api/v1/contacts/${id}/tags`, { secret, params: { id }, body: { add: ["x"] } })).toMatchObject(notFound);
    const cid = conversation._id.toHexString();
    const conv = await route("conversations/[id]");
    expect(await call(conv.GET!, "GET", `/api/v1/conversations/${cid}`, { secret, params: { id: cid } })).toMatchObject({ status: 404, body: error("not_found", "Conversation not found") });
    const messages = await route("conversations/[id]/messages");
    const send = await call(messages.POST!, "POST", `/api/v1/conversations/${cid}/messages`, { secret, params: { id: cid }, headers: { "idempotency-key": randomUUID() }, body: { content: { type: "text", text: "hi" } } });
    expect(send).toMatchObject({ status: 404, body: error("not_found", "Conversation not found") });
    const list = await call((await route("contacts")).GET!, "GET", "/api/v1/contacts", { secret, query: "?limit=100" });
    expect((list.body!.contacts as { id: string }[]).map((c) => c.id)).not.toContain(id);
    const after = (await rawCollection("contacts").findOne({ _id: contact._id }))!;
    expect(after.name).toBe(contact.name);
    expect(after.tags).toEqual([]);
    expect(await rawCollection("messages").countDocuments({ conversationId: conversation._id })).toBe(0);
  });
});

describe("conversations and messages", () => {
  async function openConversation() {
    const c = await createConversation(orgA.orgId, accountA._id);
    sim.sim.sim.setLastInbound(c.contact.waId!, new Date());
    return c;
  }

  it("lists, gets, assigns and sets the status", async () => {
    const { conversation } = await openConversation();
    const { secret } = await keyFor(orgA, ["conversations:write"]);
    const id = conversation._id.toHexString();
    const list = await call((await route("conversations")).GET!, "GET", "/api/v1/conversations", { secret, query: "?limit=100" });
    expect((list.body!.conversations as { id: string }[]).map((c) => c.id)).toContain(id);
    expect((await call((await route("conversations/[id]")).GET!, "GET", `/api/v1/conversations/${id}`, { secret, params: { id } })).body).toMatchObject({ conversation: { id, status: "open" } });
    const assign = await route("conversations/[id]/assignee");
    expect((await call(assign.PUT!, "PUT", `/api/v1/conversations/${id}/assignee`, { secret, params: { id }, body: { assigneeId: orgA.users.agent._id.toHexString() } })).body).toMatchObject({
      conversation: { assigneeId: orgA.users.agent._id.toHexString(), status: "assigned" },
    });
    const status = await route("conversations/[id]/status");
    expect((await call(status.PUT!, "PUT", `/api/v1/conversations/${id}/status`, { secret, params: { id }, body: { status: "resolved" } })).body).toMatchObject({ conversation: { status: "resolved" } });
  });

  it("sends once per Idempotency-Key: retries (also concurrent ones) get the first response; another body with the key is a 422", async () => {
    const { conversation, contact } = await openConversation();
    const { apiKey, secret } = await keyFor(orgA, ["messages:write"]);
    const id = conversation._id.toHexString();
    const { POST, GET } = await route("conversations/[id]/messages");
    const key = randomUUID();
    const send = (text: string, idempotencyKey = key) =>
      call(POST!, "POST", `/api/v1/conversations/${id}/messages`, { secret, params: { id }, headers: { "idempotency-key": idempotencyKey }, body: { content: { type: "text", text } } });
    const [first, ...retries] = await Promise.all([send("Your order shipped"), send("Your order shipped"), send("Your order shipped")]);
    expect(first!.status).toBe(201);
    const message = first!.body!.message as { id: string; text: string };
    expect(message.text).toBe("Your order shipped");
    for (const r of retries) expect((r.body!.message as { id: string }).id).toBe(message.id);
    const later = await send("Your order shipped");
    expect(later.status).toBe(201);
    expect(later.body).toEqual((await scoped(orgA.orgId)("api_idempotency_keys").findOne({ key }))!.response!.body);
    expect(later.headers.get("idempotent-replayed")).toBe("true");
    expect(sim.sim.sim.sent(contact.waId!)).toHaveLength(1);
    expect(await scoped(orgA.orgId)("messages").countDocuments({ conversationId: conversation._id, direction: "outbound" })).toBe(1);
    expect(await send("Something else")).toMatchObject({ status: 422, body: error("unprocessable_entity", "This Idempotency-Key was already used with a different request") });
    // BSON cannot store a NUL in a field name: refused up front instead of failing the write (found by the fuzzer).
    const nul = await call(POST!, "POST", `/api/v1/conversations/${id}/messages`, {
      secret, params: { id }, headers: { "idempotency-key": randomUUID() }, body: { content: { type: "template", template: { name: "order_shipped", language: "en_US", components: [{ "a\u0000b": 1 }] } } },
    });
    expect(nul).toMatchObject({ status: 400, body: error("bad_request", 'body.content.template.components[0]: field names may not contain a NUL character (got "a\\u0000b")') });
    const noKey = await call(POST!, "POST", `/api/v1/conversations/${id}/messages`, { secret, params: { id }, body: { content: { type: "text", text: "x" } } });
    expect(noKey).toMatchObject({ status: 400, body: error("bad_request", "Send an Idempotency-Key header (e.g. a UUID) so a retried request is not performed twice") });
    const audit = await scoped(orgA.orgId)("activity_logs").find({ entityType: "message", entityId: new ObjectId(message.id) }).toArray();
    expect(audit.map((a) => [a.action, a.actorName])).toEqual([["message.sent", `API key "${apiKey.name}"`]]);
    const thread = await call(GET!, "GET", `/api/v1/conversations/${id}/messages`, { secret, params: { id } });
    expect((thread.body!.messages as { id: string }[]).map((m) => m.id)).toContain(message.id);
  });
});

describe("templates", () => {
  it("lists and gets the organization's templates", async () => {
    const { syncTemplates } = await import("@/lib/whatsapp/templates");
    await syncTemplates(orgA.orgId, accountA._id);
    const { secret } = await keyFor(orgA, ["templates:read"]);
    const list = await call((await route("templates")).GET!, "GET", "/api/v1/templates", { secret, query: "?status=APPROVED" });
    const templates = list.body!.templates as { id: string; name: string }[];
    expect(templates.map((t) => t.name)).toContain("order_shipped");
    const id = templates[0]!.id;
    expect((await call((await route("templates/[id]")).GET!, "GET", `/api/v1/templates/${id}`, { secret, params: { id } })).body).toMatchObject({ template: { id } });
  });
});

describe("retention", () => {
  it("removes rate-limit windows and Idempotency-Key records after the job-log period, where no TTL index deletes them", async () => {
    const { useQstashEnv } = await import("../support/jobs");
    const { jobRegistry } = await import("@/lib/jobs/registry");
    const { runJob } = await import("@/lib/jobs/run-job");
    useQstashEnv({});
    const org = await createOrg("Retention");
    const { apiKey } = await keyFor(org, ["contacts:read"]);
    const old = new Date(Date.now() - 40 * 24 * 3600_000);
    const fresh = new Date();
    const windows = scoped(org.orgId)("api_rate_windows");
    const records = scoped(org.orgId)("api_idempotency_keys");
    for (const at of [old, fresh]) {
      await windows.insertOne({ _id: `${apiKey._id.toHexString()}:${at.getTime()}`, keyId: apiKey._id, windowStart: at, count: 3, expiresAt: new Date(at.getTime() + 120_000) });
      await records.insertOne({ _id: new ObjectId(), key: `k-${at.getTime()}`, apiKeyId: apiKey._id, requestHash: "h", response: null, createdAt: at, expiresAt: new Date(at.getTime() + 86_400_000) });
    }
    expect(await runJob(jobRegistry, "retention", { orgId: org.orgId.toHexString() }, { messageId: `retention-${randomUUID()}`, attempt: 1 })).toEqual({ status: "completed" });
    expect((await windows.find({}).toArray()).map((w) => w.windowStart)).toEqual([fresh]);
    expect((await records.find({}).toArray()).map((r) => r.createdAt)).toEqual([fresh]);
  });
});

describe("tickets", () => {
  it("opens, lists, gets and updates a ticket (source api, audited with the key's name); another organization's key gets 404", async () => {
    const { contact } = await createConversation(orgA.orgId, accountA._id);
    const { apiKey, secret } = await keyFor(orgA, ["tickets:write"]);
    const list = await route("tickets");
    const one = await route("tickets/[id]");
    const created = await call(list.POST!, "POST", "/api/v1/tickets", { secret, body: { subject: "Refund for order 77", contactId: contact._id.toHexString(), priority: "high" } });
    expect(created.status).toBe(201);
    const ticket = created.body!.ticket as { id: string; source: string; status: string };
    expect(ticket).toMatchObject({ source: "api", status: "open" });
    const params = { id: ticket.id };
    expect(((await call(list.GET!, "GET", "/api/v1/tickets", { secret, query: "?view=open&limit=100" })).body!.tickets as { id: string }[]).map((t) => t.id)).toContain(ticket.id);
    expect((await call(one.GET!, "GET", `/api/v1/tickets/${ticket.id}`, { secret, params })).body).toMatchObject({ ticket: { id: ticket.id, subject: "Refund for order 77" } });
    expect((await call(one.PATCH!, "PATCH", `/api/v1/tickets/${ticket.id}`, { secret, params, body: { status: "in_progress" } })).body).toMatchObject({ ticket: { status: "in_progress" } });
    const audit = await scoped(orgA.orgId)("activity_logs").find({ entityType: "ticket", entityId: new ObjectId(ticket.id) }, { sort: { at: 1 } }).toArray();
    expect(audit.map((a) => [a.action, a.actorName])).toEqual([
      ["ticket.created", `API key "${apiKey.name}"`],
      ["ticket.status_changed", `API key "${apiKey.name}"`],
    ]);
    const other = await keyFor(orgB, ["tickets:admin"]);
    const notFound = { status: 404, body: error("not_found", "Ticket not found") };
    expect(await call(one.GET!, "GET", `/api/v1/tickets/${ticket.id}`, { secret: other.secret, params })).toMatchObject(notFound);
    expect(await call(one.PATCH!, "PATCH", `/api/v1/tickets/${ticket.id}`, { secret: other.secret, params, body: { subject: "Taken over" } })).toMatchObject(notFound);
    expect((await scoped(orgA.orgId)("tickets").findOne({ _id: new ObjectId(ticket.id) }))).toMatchObject({ status: "in_progress", subject: "Refund for order 77" });
  });
});

describe("segments", () => {
  it("lists saved segments and a segment's contacts; another organization's segment is a 404", async () => {
    const { createSegment } = await import("@/lib/contacts/segments/store");
    const org = await createOrg("Segments");
    const { secret } = await keyFor(org, ["contacts:write"]);
    const { GET, POST } = await route("contacts");
    for (const [i, tags] of [["vip"], [], ["vip", "lead"]].entries()) await call(POST!, "POST", "/api/v1/contacts", { secret, body: { phone: `+1415555030${i}`, name: `Seg ${i}`, tags } });
    const admin = { id: org.users.admin._id, name: org.users.admin.name };
    const segment = await createSegment(org.orgId, admin, { name: "VIPs", definition: { match: "all", conditions: [{ field: "tags", op: "has_any", value: ["vip"] }] } });
    const segments = await call((await route("segments")).GET!, "GET", "/api/v1/segments", { secret });
    expect(segments.body).toEqual({ segments: [expect.objectContaining({ id: segment._id.toHexString(), name: "VIPs", definition: segment.definition })] });
    const members = await call(GET!, "GET", "/api/v1/contacts", { secret, query: `?segmentId=${segment._id.toHexString()}` });
    expect((members.body!.contacts as { name: string }[]).map((c) => c.name).sort()).toEqual(["Seg 0", "Seg 2"]);
    const foreign = await keyFor(orgB, ["contacts:read"]);
    expect(await call(GET!, "GET", "/api/v1/contacts", { secret: foreign.secret, query: `?segmentId=${segment._id.toHexString()}` })).toMatchObject({ status: 404, body: error("not_found", "Segment not found") });
  });
});
