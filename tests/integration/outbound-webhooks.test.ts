import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import os from "node:os";
import path from "node:path";
import { ObjectId } from "mongodb";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as listRoute, POST as createRoute } from "@/app/api/webhook-endpoints/route";
import { DELETE as deleteRoute, GET as getRoute, PATCH as patchRoute } from "@/app/api/webhook-endpoints/[id]/route";
import { POST as testRoute } from "@/app/api/webhook-endpoints/[id]/test/route";
import { GET as deliveriesRoute } from "@/app/api/webhook-endpoints/[id]/deliveries/route";
import { POST as replayRoute } from "@/app/api/webhook-endpoints/[id]/deliveries/[deliveryId]/replay/route";
import { PUT as statusRoute } from "@/app/api/conversations/[id]/status/route";
import { PUT as assigneeRoute } from "@/app/api/conversations/[id]/assignee/route";
import { createCampaign } from "@/lib/campaigns/campaigns";
import { recountCampaign } from "@/lib/campaigns/counters";
import { createContact } from "@/lib/contacts/directory";
import { updateContact } from "@/lib/contacts/contacts";
import { retentionJob } from "@/lib/jobs/retention";
import { createTicket, updateTicket } from "@/lib/tickets/tickets";
import type { CommandRecord } from "@/lib/db/command-log";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { resetEnvCache } from "@/lib/env";
import { emitEvents } from "@/lib/outbound-webhooks/emit";
import { AUTO_DISABLE_AFTER_FAILURES, MAX_ATTEMPTS, RETRY_DELAYS_SECONDS, webhookDeliverJob } from "@/lib/outbound-webhooks/deliver-job";
import type { JobContext } from "@/lib/jobs/define-job";
import type { EnqueueOptions } from "@/lib/jobs/types";
import { outboundEventTypes, type WebhookDelivery, type WebhookEndpoint } from "@/lib/schemas/outbound-webhook";
import type { UserDoc } from "@/lib/schemas/user";
import { createOrg, request, routeParams } from "../support/factories";
import { seedConversation, seedMessage } from "../support/inbox-fixtures";
import { envelope, orgWithAccount, postWebhook, textMessage } from "../support/whatsapp-webhook";

/**
 * Outbound webhooks end to end against a receiver on 127.0.0.1: the endpoint routes, the signed
 * delivery (checked by a Standard Webhooks verifier written here from the spec, not the product's
 * signer), retries with their backoff, auto-disable, the timeout, redirects, tenant isolation, and
 * the events the real flows emit (an inbound WhatsApp message, a conversation resolved).
 */

// The database command log (lib/db/command-log.ts) shows what the webhook route sends; under the
// index-coverage run it is already on, with that run's file.
process.env.DB_COMMAND_LOG ??= path.join(os.tmpdir(), `outbound-webhooks-${process.pid}-${Date.now()}.jsonl`);
const routeCommands = (since: number): CommandRecord[] =>
  readFileSync(process.env.DB_COMMAND_LOG!, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as CommandRecord)
    .filter((c) => c.scope === "route" && c.t >= since);

const PORT = 3321;
const BASE = `http://127.0.0.1:${PORT}`;

type Received = { path: string; headers: IncomingHttpHeaders; body: string };
const received: Received[] = [];
const waiters: { match: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];
const held: ServerResponse[] = [];
let server: Server;

/** The receiver: /ok answers 200, /fail 500, /redirect 302 to /ok, /slow never answers (until the test ends). */
beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r = { path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      received.push(r);
      for (const w of waiters.splice(0)) {
        if (w.match(r)) w.resolve(r);
        else waiters.push(w);
      }
      const path = r.path.split("?")[0];
      if (path === "/ok") res.writeHead(200, { "content-type": "text/plain" }).end("thanks");
      else if (path === "/fail") res.writeHead(500).end("receiver broke");
      else if (path === "/redirect") res.writeHead(302, { location: `${BASE}/ok?from=redirect` }).end();
      else if (path === "/slow") held.push(res);
      else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(PORT, "127.0.0.1", resolve));
});

afterAll(async () => {
  for (const res of held) res.destroy();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  vi.useRealTimers();
  delete process.env.OUTBOUND_WEBHOOK_TIMEOUT_MS;
  resetEnvCache();
});

/** The next request (already received or still to come) that `match` accepts. */
function nextRequest(match: (r: Received) => boolean): Promise<Received> {
  const already = received.find(match);
  if (already) return Promise.resolve(already);
  return new Promise((resolve) => waiters.push({ match, resolve }));
}

/** Standard Webhooks verification, from the spec (standardwebhooks.com, "Verifying webhooks"). */
function verify(secret: string, headers: IncomingHttpHeaders, body: string, toleranceSeconds = 300): { type: string; timestamp: string; data: Record<string, unknown> } {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signatures = headers["webhook-signature"];
  if (typeof id !== "string" || typeof timestamp !== "string" || typeof signatures !== "string") throw new Error("missing webhook headers");
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) throw new Error("timestamp outside the tolerance");
  const key = Buffer.from(secret.split("_")[1]!, "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest();
  // The header is a space-delimited list of versioned signatures; one valid v1 is enough.
  const ok = signatures.split(" ").some((s) => {
    const [version, sig] = s.split(",");
    const given = Buffer.from(sig ?? "", "base64");
    return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) throw new Error("no valid signature");
  return JSON.parse(body);
}

async function call(handler: (req: never, ctx: never) => Promise<Response>, user: UserDoc, url: string, params: Record<string, string>, init: { method?: string; body?: unknown } = {}) {
  const res = await handler((await request(user, url, init)) as never, routeParams(params) as never);
  return { status: res.status, body: await res.json() };
}

async function addEndpoint(admin: UserDoc, url: string, events: string[] = ["message.received"]): Promise<WebhookEndpoint> {
  const res = await call(createRoute, admin, "/api/webhook-endpoints", {}, { method: "POST", body: { url, events } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.endpoint;
}

/** A stored delivery of an event to an endpoint, as the fan-out makes them. */
async function seedDelivery(orgId: ObjectId, endpointId: string, type = "message.received") {
  const now = new Date();
  const eventId = `evt_${new ObjectId().toHexString()}`;
  const doc = {
    _id: new ObjectId(),
    endpointId: new ObjectId(endpointId),
    key: eventId,
    eventId,
    eventType: type,
    body: JSON.stringify({ type, timestamp: now.toISOString(), data: { hello: "world" } }),
    replayOf: null,
    status: "pending" as const,
    attempts: [],
    nextAttemptAt: now,
    createdAt: now,
    updatedAt: now,
  };
  await scoped(orgId)("webhook_deliveries").insertOne(doc);
  return doc;
}

/** Runs one attempt of the delivery job as the job system would, keeping what it enqueues. */
async function attempt(orgId: ObjectId, deliveryId: ObjectId, n: number) {
  const enqueued: { payload: unknown; options: EnqueueOptions | undefined }[] = [];
  const ctx: JobContext = {
    messageId: `test-${deliveryId.toHexString()}-${n}`,
    attempt: 1,
    enqueue: (async (_job: string, payload: unknown, options?: EnqueueOptions) => {
      enqueued.push({ payload, options });
      return { messageId: "queued", deduplicated: false };
    }) as JobContext["enqueue"],
  };
  const result = await webhookDeliverJob.handle({ orgId: orgId.toHexString(), deliveryId: deliveryId.toHexString(), attempt: n }, ctx);
  return { result, enqueued };
}

let org: Awaited<ReturnType<typeof createOrg>>;
beforeAll(async () => {
  org = await createOrg("Outbound webhooks org");
});

describe("endpoints", () => {
  it("are created with a Standard Webhooks secret, listed, edited and deleted by an admin", async () => {
    const ep = await addEndpoint(org.users.admin, `${BASE}/ok?crud`, ["message.received", "ticket.created"]);
    expect(ep.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(ep.secret.slice(6), "base64")).toHaveLength(32);
    expect(ep).toMatchObject({ active: true, disabledReason: null, consecutiveFailures: 0, events: ["message.received", "ticket.created"] });
    const list = await call(listRoute, org.users.admin, "/api/webhook-endpoints", {});
    expect(list.body.endpoints.map((e: WebhookEndpoint) => e.id)).toContain(ep.id);
    const edited = await call(patchRoute, org.users.admin, `/api/webhook-endpoints/${ep.id}`, { id: ep.id }, { method: "PATCH", body: { events: ["ticket.updated"], description: "CRM sync" } });
    expect(edited.body.endpoint).toMatchObject({ events: ["ticket.updated"], description: "CRM sync", secret: ep.secret });
    expect((await call(deleteRoute, org.users.admin, `/api/webhook-endpoints/${ep.id}`, { id: ep.id }, { method: "DELETE" })).status).toBe(200);
    expect((await call(getRoute, org.users.admin, `/api/webhook-endpoints/${ep.id}`, { id: ep.id })).status).toBe(404);
  });

  it.each([
    ["ftp://example.com/hook", ["message.received"], "url: must be an https URL"],
    ["http://example.com/hook", ["message.received"], "url: must be an https URL"],
    ["https://10.1.2.3/hook", ["message.received"], "url: must not point at a private or loopback address"],
    ["https://169.254.169.254/latest/meta-data", ["message.received"], "url: must not point at a private or loopback address"],
    ["https://[fd00::1]/hook", ["message.received"], "url: must not point at a private or loopback address"],
    ["not a url", ["message.received"], "url: must be a URL"],
    ["https://example.com/hook", [], "events: choose at least one event"],
    ["https://example.com/hook", ["message.deleted"], expect.stringMatching(/^events\.0: /)],
  ])("refuses %s with %j", async (url, events, message) => {
    const res = await call(createRoute, org.users.admin, "/api/webhook-endpoints", {}, { method: "POST", body: { url, events } });
    expect(res).toEqual({ status: 422, body: { error: { code: "unprocessable_entity", message } } });
  });

  it("are for admins only", async () => {
    for (const role of ["supervisor", "agent", "marketer", "viewer"] as const) {
      const res = await call(listRoute, org.users[role], "/api/webhook-endpoints", {});
      expect(res).toEqual({ status: 403, body: { error: { code: "forbidden", message: "Your role does not allow this action" } } });
    }
  });
});

describe("delivery", () => {
  it("is signed per Standard Webhooks, logged, and the test ping and a replay reach the endpoint", async () => {
    const ep = await addEndpoint(org.users.admin, `${BASE}/ok?ping`);
    const ping = await call(testRoute, org.users.admin, `/api/webhook-endpoints/${ep.id}/test`, { id: ep.id }, { method: "POST" });
    expect(ping.status).toBe(202);
    const got = await nextRequest((r) => r.path === "/ok?ping");
    const payload = verify(ep.secret, got.headers, got.body);
    expect(payload).toMatchObject({ type: "webhook.test", data: { endpointId: ep.id } });
    expect(got.headers["webhook-id"]).toBe(ping.body.delivery.eventId);
    expect(got.headers["content-type"]).toBe("application/json");
    // A verifier with another secret refuses it.
    expect(() => verify(`whsec_${Buffer.alloc(32, 7).toString("base64")}`, got.headers, got.body)).toThrow("no valid signature");
    expect(() => verify(ep.secret, got.headers, got.body.replace("webhook.test", "webhook.tesT"))).toThrow("no valid signature");

    const log = await waitForLog(ep.id, (d) => d.length === 1 && d[0]!.status === "succeeded");
    expect(log[0]!.attempts).toEqual([expect.objectContaining({ attempt: 1, responseStatus: 200, responseBody: "thanks", error: null, durationMs: expect.any(Number) })]);
    expect(log[0]!.body).toBe(got.body);

    const replay = await call(replayRoute, org.users.admin, "/x", { id: ep.id, deliveryId: log[0]!.id }, { method: "POST" });
    expect(replay.status).toBe(202);
    expect(replay.body.delivery).toMatchObject({ replayOf: log[0]!.id, eventId: log[0]!.eventId });
    const second = await nextRequest((r) => r.path === "/ok?ping" && r !== got);
    expect(second.headers["webhook-id"]).toBe(got.headers["webhook-id"]);
    expect(verify(ep.secret, second.headers, second.body)).toEqual(payload);
    const after = await waitForLog(ep.id, (d) => d.length === 2 && d.every((x) => x.status === "succeeded"));
    expect(after[0]!.replayOf).toBe(log[0]!.id);
  });

  it("retries a failure with backoff, signing every attempt afresh with the same id, and stops after the last", async () => {
    const ep = await addEndpoint(org.users.admin, `${BASE}/fail?retries`);
    const d = await seedDelivery(org.orgId, ep.id);
    vi.useFakeTimers({ toFake: ["Date"], now: new Date() });
    const requests: Received[] = [];
    for (let n = 1; n <= MAX_ATTEMPTS; n++) {
      const { result, enqueued } = await attempt(org.orgId, d._id, n);
      requests.push(await nextRequest((r) => r.path === "/fail?retries" && !requests.includes(r)));
      expect(result).toMatchObject({ ok: false, status: 500, attempt: n });
      if (n < MAX_ATTEMPTS) {
        expect(enqueued).toEqual([{ payload: { orgId: org.orgId.toHexString(), deliveryId: d._id.toHexString(), attempt: n + 1 }, options: expect.objectContaining({ delaySeconds: RETRY_DELAYS_SECONDS[n - 1], deduplicationId: `webhook-deliver-${d._id.toHexString()}-${n + 1}` }) }]);
        // The next attempt runs after its delay.
        vi.setSystemTime(Date.now() + RETRY_DELAYS_SECONDS[n - 1]! * 1000);
      } else expect(enqueued).toEqual([]);
    }
    expect(new Set(requests.map((r) => r.headers["webhook-id"])).size).toBe(1);
    expect(new Set(requests.map((r) => r.headers["webhook-signature"])).size).toBe(MAX_ATTEMPTS);
    const stamps = requests.map((r) => Number(r.headers["webhook-timestamp"]));
    expect(stamps.slice(1).map((t, i) => t - stamps[i]!)).toEqual([...RETRY_DELAYS_SECONDS]);
    // Each attempt verifies at the time it was sent.
    for (const r of requests) expect(verify(ep.secret, r.headers, r.body, Number.MAX_SAFE_INTEGER).type).toBe("message.received");

    const stored = (await scoped(org.orgId)("webhook_deliveries").findOne({ _id: d._id }))!;
    expect(stored.status).toBe("failed");
    expect(stored.nextAttemptAt).toBeNull();
    expect(stored.attempts.map((a) => [a.attempt, a.responseStatus, a.responseBody, a.error])).toEqual(Array.from({ length: MAX_ATTEMPTS }, (_, i) => [i + 1, 500, "receiver broke", "HTTP 500"]));
    // A repeated delivery of a job already run does nothing.
    expect((await attempt(org.orgId, d._id, MAX_ATTEMPTS)).result).toEqual({ skipped: "attempt already made" });
  });

  it("disables the endpoint after repeated failures with the reason; re-enabling clears it and a success resets the count", async () => {
    const ep = await addEndpoint(org.users.admin, `${BASE}/fail?disable`);
    const earlier: ObjectId[] = [];
    for (let i = 1; i < AUTO_DISABLE_AFTER_FAILURES; i++) {
      const d = await seedDelivery(org.orgId, ep.id);
      earlier.push(d._id);
      expect((await attempt(org.orgId, d._id, 1)).result).toMatchObject({ ok: false, disabled: false });
    }
    const last = await seedDelivery(org.orgId, ep.id);
    const { result, enqueued } = await attempt(org.orgId, last._id, 1);
    expect(result).toMatchObject({ ok: false, disabled: true });
    expect(enqueued).toEqual([]);
    const off = (await call(getRoute, org.users.admin, `/api/webhook-endpoints/${ep.id}`, { id: ep.id })).body.endpoint as WebhookEndpoint;
    expect(off).toMatchObject({ active: false, consecutiveFailures: AUTO_DISABLE_AFTER_FAILURES, disabledReason: `Disabled automatically after ${AUTO_DISABLE_AFTER_FAILURES} failed attempts in a row; the last: HTTP 500` });
    expect((await scoped(org.orgId)("webhook_deliveries").findOne({ _id: last._id }))!.status).toBe("failed");
    // The earlier deliveries waiting for their retries stop too, so re-enabling does not resume them into a new streak.
    expect(await scoped(org.orgId)("webhook_deliveries").countDocuments({ _id: { $in: earlier }, status: "pending" })).toBe(0);
    // Nothing more goes out while it is off: a pending attempt finds it disabled, a test ping is refused.
    const waiting = await seedDelivery(org.orgId, ep.id);
    expect((await attempt(org.orgId, waiting._id, 1)).result).toEqual({ skipped: "Endpoint disabled" });
    expect(await call(testRoute, org.users.admin, "/x", { id: ep.id }, { method: "POST" })).toEqual({ status: 409, body: { error: { code: "conflict", message: "The endpoint is disabled; enable it first" } } });

    const on = await call(patchRoute, org.users.admin, "/x", { id: ep.id }, { method: "PATCH", body: { active: true, url: `${BASE}/fail?disable-2` } });
    expect(on.body.endpoint).toMatchObject({ active: true, disabledReason: null, disabledAt: null, consecutiveFailures: 0 });
    await attempt(org.orgId, (await seedDelivery(org.orgId, ep.id))._id, 1);
    expect((await call(getRoute, org.users.admin, "/x", { id: ep.id })).body.endpoint.consecutiveFailures).toBe(1);
    await call(patchRoute, org.users.admin, "/x", { id: ep.id }, { method: "PATCH", body: { url: `${BASE}/ok?disable` } });
    expect((await attempt(org.orgId, (await seedDelivery(org.orgId, ep.id))._id, 1)).result).toMatchObject({ ok: true, status: 200 });
    expect((await call(getRoute, org.users.admin, "/x", { id: ep.id })).body.endpoint).toMatchObject({ consecutiveFailures: 0, lastSuccessAt: expect.any(String) });
  });

  it("gives up on an endpoint that does not answer within the timeout", async () => {
    process.env.OUTBOUND_WEBHOOK_TIMEOUT_MS = "300";
    resetEnvCache();
    const ep = await addEndpoint(org.users.admin, `${BASE}/slow`);
    const d = await seedDelivery(org.orgId, ep.id);
    const started = Date.now();
    const { result, enqueued } = await attempt(org.orgId, d._id, 1);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result).toMatchObject({ ok: false, status: null });
    const stored = (await scoped(org.orgId)("webhook_deliveries").findOne({ _id: d._id }))!;
    expect(stored.attempts[0]).toMatchObject({ responseStatus: null, error: "Timed out after 300 ms" });
    expect(stored.attempts[0]!.durationMs).toBeGreaterThanOrEqual(290);
    expect(enqueued).toHaveLength(1);
  });

  it("does not follow a redirect: it is a failed attempt naming where it pointed", async () => {
    const ep = await addEndpoint(org.users.admin, `${BASE}/redirect`);
    const d = await seedDelivery(org.orgId, ep.id);
    const before = received.length;
    const { result } = await attempt(org.orgId, d._id, 1);
    expect(result).toMatchObject({ ok: false, status: 302 });
    expect(received.slice(before).map((r) => r.path)).toEqual(["/redirect"]);
    const stored = (await scoped(org.orgId)("webhook_deliveries").findOne({ _id: d._id }))!;
    expect(stored.attempts[0]).toMatchObject({ responseStatus: 302, error: `Redirect to ${BASE}/ok?from=redirect not followed` });
  });
});

describe("tenant isolation", () => {
  it("another organization's admin cannot see, change, ping or replay an endpoint or its deliveries: 404", async () => {
    const ep = await addEndpoint(org.users.admin, `${BASE}/ok?tenant`);
    const d = await seedDelivery(org.orgId, ep.id);
    const other = await createOrg("Other tenant");
    const theirs = await addEndpoint(other.users.admin, `${BASE}/ok?theirs`);
    const notFound = { status: 404, body: { error: { code: "not_found", message: "Webhook endpoint not found" } } };
    const admin = other.users.admin;
    expect(await call(getRoute, admin, "/x", { id: ep.id })).toEqual(notFound);
    expect(await call(patchRoute, admin, "/x", { id: ep.id }, { method: "PATCH", body: { active: true } })).toEqual(notFound);
    expect(await call(deleteRoute, admin, "/x", { id: ep.id }, { method: "DELETE" })).toEqual(notFound);
    expect(await call(testRoute, admin, "/x", { id: ep.id }, { method: "POST" })).toEqual(notFound);
    expect(await call(deliveriesRoute, admin, "/x", { id: ep.id })).toEqual(notFound);
    expect(await call(replayRoute, admin, "/x", { id: ep.id, deliveryId: d._id.toHexString() }, { method: "POST" })).toEqual(notFound);
    // Their own endpoint with our delivery's id: no such delivery for them.
    expect(await call(replayRoute, admin, "/x", { id: theirs.id, deliveryId: d._id.toHexString() }, { method: "POST" })).toEqual({ status: 404, body: { error: { code: "not_found", message: "Delivery not found" } } });
    expect((await call(listRoute, admin, "/api/webhook-endpoints", {})).body.endpoints.map((e: WebhookEndpoint) => e.id)).toEqual([theirs.id]);
    // Ours is untouched.
    expect((await call(getRoute, org.users.admin, "/x", { id: ep.id })).body.endpoint.active).toBe(true);
  });
});

describe("events from the real flows", () => {
  it("an inbound WhatsApp message reaches a subscriber as message.received (and its new conversation as conversation.created)", async () => {
    const wa = await orgWithAccount();
    const ep = await addEndpoint(wa.users.admin, `${BASE}/ok?inbound`, ["message.received", "conversation.created"]);
    const quiet = await addEndpoint(wa.users.admin, `${BASE}/ok?not-subscribed`, ["ticket.created"]);
    const wamid = `wamid.outbound-test-${Date.now()}`;
    const res = await postWebhook(envelope(wa.account, textMessage("16505550111", wamid, "Is my order shipped?")));
    expect(res.status).toBe(200);
    const message = await nextRequest((r) => r.path === "/ok?inbound" && r.body.includes('"message.received"'));
    const event = verify(ep.secret, message.headers, message.body);
    const stored = (await scoped(wa.orgId)("messages").findOne({ waMessageId: wamid }))!;
    expect(event).toEqual({
      type: "message.received",
      timestamp: stored.sentAt.toISOString(),
      data: {
        messageId: stored._id.toHexString(),
        conversationId: stored.conversationId.toHexString(),
        contactId: stored.contactId.toHexString(),
        waMessageId: wamid,
        type: "text",
        text: "Is my order shipped?",
        sentAt: stored.sentAt.toISOString(),
      },
    });
    const created = verify(ep.secret, ...(await nextRequest((r) => r.path === "/ok?inbound" && r.body.includes('"conversation.created"')).then((r) => [r.headers, r.body] as const)));
    expect(created.data).toMatchObject({ conversationId: stored.conversationId.toHexString(), contactId: stored.contactId.toHexString(), status: "open" });

    // Meta redelivers the same webhook: the same events, deduplicated, are not delivered again.
    expect((await postWebhook(envelope(wa.account, textMessage("16505550111", wamid, "Is my order shipped?")))).status).toBe(200);
    const log = await waitForLog(ep.id, (d) => d.length === 2 && d.every((x) => x.status === "succeeded"), wa.users.admin);
    expect(log.map((d) => d.eventType).sort()).toEqual(["conversation.created", "message.received"]);
    expect((await call(deliveriesRoute, wa.users.admin, "/x", { id: quiet.id })).body.deliveries).toEqual([]);
  });

  it("resolving a conversation in the inbox reaches a subscriber as conversation.resolved", async () => {
    const ep = await addEndpoint(org.users.admin, `${BASE}/ok?resolved`, ["conversation.resolved"]);
    const conversation = await seedConversation(org.orgId, { assigneeId: org.users.agent._id, name: "Rosa Resolved" });
    const res = await call(statusRoute, org.users.agent, "/x", { id: conversation._id.toHexString() }, { method: "PUT", body: { status: "resolved" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const got = await nextRequest((r) => r.path === "/ok?resolved");
    const event = verify(ep.secret, got.headers, got.body);
    expect(event).toMatchObject({
      type: "conversation.resolved",
      data: { conversationId: conversation._id.toHexString(), contactId: conversation.contactId.toHexString(), status: "resolved", assigneeId: org.users.agent._id.toHexString(), resolvedBy: org.users.agent._id.toHexString(), contact: { name: "Rosa Resolved" } },
    });
    expect(event.data.resolvedAt).toEqual(expect.any(String));
  });
});

describe("the WhatsApp webhook path", () => {
  it("sends no outbound-webhook database command, the same commands with or without endpoints, and publishes one fan-out per delivery", async () => {
    const delivery = (n: number) => ({
      contacts: [{ profile: { name: "Burst" }, wa_id: "16505550201" }, { profile: { name: "Other" }, wa_id: "16505550202" }],
      messages: [
        { from: "16505550201", id: `wamid.burst-${n}-a`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "one" } },
        { from: "16505550201", id: `wamid.burst-${n}-b`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "two" } },
        { from: "16505550202", id: `wamid.burst-${n}-c`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "three" } },
      ],
    });
    const measure = async (wa: Awaited<ReturnType<typeof orgWithAccount>>, n: number) => {
      const since = Date.now();
      expect((await postWebhook(envelope(wa.account, delivery(n)))).status).toBe(200);
      return routeCommands(since);
    };
    const without = await orgWithAccount();
    const withEndpoints = await orgWithAccount();
    await addEndpoint(withEndpoints.users.admin, `${BASE}/ok?path-1`, [...outboundEventTypes]);
    await addEndpoint(withEndpoints.users.admin, `${BASE}/ok?path-2`, ["message.received"]);
    // First deliveries create the contacts and conversations; the second ones are the steady state.
    const [first, firstWith] = [await measure(without, 1), await measure(withEndpoints, 1)];
    const [second, secondWith] = [await measure(without, 2), await measure(withEndpoints, 2)];
    const shape = (cs: CommandRecord[]) => cs.map((c) => `${c.cmd} ${c.coll ?? ""}`).sort();
    // The first delivery's two senders are handled concurrently and may both miss the keyword-settings
    // cache (one read or two): the same kinds of command there; the steady state matches exactly.
    expect([...new Set(shape(firstWith))]).toEqual([...new Set(shape(first))]);
    expect(shape(secondWith)).toEqual(shape(second));
    expect(second.length).toBeGreaterThan(0);
    expect([...firstWith, ...secondWith].filter((c) => c.coll === "webhook_endpoints" || c.coll === "webhook_deliveries")).toEqual([]);
    // One fan-out job per delivery, carrying all of its events (3 messages, 2 new conversations the first time).
    const fanouts = async () => rawCollection("workflow_executions").find({ orgId: withEndpoints.orgId, job: "webhook-fanout" }).toArray();
    await nextRequest((r) => r.path === "/ok?path-2" && r.body.includes("wamid.burst-2-c"));
    const runs = await fanouts();
    expect(runs.map((r) => (r.payload as { events: { type: string }[] }).events.map((e) => e.type).sort()).sort((a, b) => b.length - a.length)).toEqual([
      ["conversation.created", "conversation.created", "message.received", "message.received", "message.received"],
      ["message.received", "message.received", "message.received"],
    ]);
  });
});

describe("emitEvents", () => {
  it("splits a huge batch by size into fan-outs that keep every event in order", async () => {
    const big = await createOrg("Huge batch org");
    const text = "x".repeat(4000);
    const events = Array.from({ length: 150 }, (_, i) => ({ id: `evt_big_${i}`, type: "message.received" as const, data: { text, i } }));
    await emitEvents(big.orgId, events);
    const runs = async () => rawCollection("workflow_executions").find({ orgId: big.orgId, job: "webhook-fanout", status: "completed" }).toArray();
    // The fan-outs run in the background (in-process driver); wait for both records.
    let done = await runs();
    while (done.length < 2) done = await new Promise((resolve) => setTimeout(resolve, 50)).then(runs);
    const ids = done.map((r) => (r.payload as { events: { id: string }[] }).events.map((e) => e.id)).sort((a, b) => Number(a[0]!.split("_")[2]) - Number(b[0]!.split("_")[2]));
    expect(ids).toHaveLength(2);
    expect(ids.flat()).toEqual(events.map((e) => e.id));
    for (const r of done) expect(Buffer.byteLength(JSON.stringify(r.payload))).toBeLessThan(600 * 1024);
  });
});

describe("events from the other domain modules", () => {
  it("contacts, tickets, assignment, delivery statuses and consent keywords reach a subscriber of everything", async () => {
    const wa = await orgWithAccount();
    const ep = await addEndpoint(wa.users.admin, `${BASE}/ok?everything`, [...outboundEventTypes]);
    const actor = { id: wa.users.admin._id, name: wa.users.admin.name };
    const events = (type: string) => nextRequest((r) => r.path === "/ok?everything" && r.body.includes(`"type":"${type}"`)).then((r) => verify(ep.secret, r.headers, r.body));

    const contact = await createContact(wa.orgId, actor, { phone: "+14155550177", name: "Ada Event" });
    expect((await events("contact.created")).data).toMatchObject({ contactId: contact._id.toHexString(), name: "Ada Event", phone: "+14155550177" });
    await updateContact(wa.orgId, actor, contact._id, { company: "Analytical Engines" });
    expect((await events("contact.updated")).data).toMatchObject({ contactId: contact._id.toHexString(), company: "Analytical Engines", changed: ["company"] });

    const conversation = await seedConversation(wa.orgId, { accountId: wa.account._id, name: "Tom Ticket" });
    const ticket = await createTicket(wa.orgId, actor, { subject: "Broken charger", conversationId: conversation._id.toHexString() }, "agent");
    expect((await events("ticket.created")).data).toMatchObject({ ticketId: ticket._id.toHexString(), number: ticket.number, subject: "Broken charger", status: "open", conversationId: conversation._id.toHexString() });
    await updateTicket(wa.orgId, actor, ticket._id, { priority: "high" });
    expect((await events("ticket.updated")).data).toMatchObject({ ticketId: ticket._id.toHexString(), priority: "high", changed: ["priority"] });

    const assigned = await call(assigneeRoute, wa.users.supervisor, "/x", { id: conversation._id.toHexString() }, { method: "PUT", body: { assigneeId: wa.users.agent._id.toHexString() } });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
    expect((await events("conversation.assigned")).data).toMatchObject({ conversationId: conversation._id.toHexString(), assigneeId: wa.users.agent._id.toHexString(), assignedBy: wa.users.supervisor._id.toHexString() });

    const sent = await seedMessage(wa.orgId, conversation, { direction: "outbound", status: "sent", waMessageId: `wamid.status-${Date.now()}` });
    const at = Math.floor(Date.now() / 1000);
    expect((await postWebhook(envelope(wa.account, { statuses: [{ id: sent.waMessageId, status: "delivered", timestamp: String(at), recipient_id: "14155550100" }] }))).status).toBe(200);
    expect((await events("message.status")).data).toEqual({
      messageId: sent._id.toHexString(), conversationId: conversation._id.toHexString(), waMessageId: sent.waMessageId, status: "delivered", at: new Date(at * 1000).toISOString(), error: null,
    });

    expect((await postWebhook(envelope(wa.account, textMessage("16505550188", `wamid.stop-${Date.now()}`, "STOP")))).status).toBe(200);
    const consent = await events("contact.consent_changed");
    expect(consent.data).toMatchObject({ state: "opted_out", channel: "all", source: "keyword" });
    const stopper = (await scoped(wa.orgId)("contacts").findOne({ phone: "+16505550188" }))!;
    expect(consent.data.contactId).toBe(stopper._id.toHexString());
  });
});

describe("campaign.finished", () => {
  it("reaches a subscriber when a sending campaign's last recipient is settled", async () => {
    const wa = await orgWithAccount();
    const ep = await addEndpoint(wa.users.admin, `${BASE}/ok?campaign`, ["campaign.finished"]);
    const actor = { id: wa.users.admin._id, name: wa.users.admin.name };
    const templateId = new ObjectId();
    const now = new Date();
    await scoped(wa.orgId)("whatsapp_templates").insertOne({
      _id: templateId, accountId: wa.account._id, wabaId: wa.account.wabaId, metaId: "1", name: `t_${templateId.toHexString()}`, language: "en_US", category: "MARKETING", status: "APPROVED",
      qualityScore: null, rejectedReason: null, parameterFormat: "positional", components: [{ type: "BODY", text: "Hello" }], key: `${wa.account.wabaId}:t_${templateId.toHexString()}:en_US`, syncedAt: now, createdAt: now, updatedAt: now,
    });
    const campaign = await createCampaign(wa.orgId, actor, {
      name: "Nobody's sale", audience: { segmentId: null, definition: { match: "all", conditions: [{ field: "tags", op: "has_any", value: ["nobody-has-this"] }] } },
      exclusions: { requireOptIn: true, frequencyCapDays: null }, variants: [{ key: "A", templateId: templateId.toHexString(), weight: 100, variables: {} }], controlPercent: 0, winner: null, conversion: null,
    });
    // A campaign sending whose recipients are all settled (none here): the sweep's recount completes it.
    await scoped(wa.orgId)("campaigns").updateOne({ _id: campaign._id }, { $set: { status: "sending", updatedAt: new Date() } });
    expect(await recountCampaign(wa.orgId, campaign._id)).toBe(true);
    const got = await nextRequest((r) => r.path === "/ok?campaign");
    const event = verify(ep.secret, got.headers, got.body);
    expect(event).toMatchObject({ type: "campaign.finished", data: { campaignId: campaign._id.toHexString(), name: "Nobody's sale", status: "completed", counters: expect.objectContaining({ targeted: 0, pending: 0 }) } });
    expect(got.headers["webhook-id"]).toMatch(new RegExp(`^evt_campaign_${campaign._id.toHexString()}_\\d+$`));
  });
});

describe("retention", () => {
  it("removes delivery log entries older than the job-log retention, and keeps the recent ones", async () => {
    const ep = await addEndpoint(org.users.admin, `${BASE}/ok?retention`);
    const old = await seedDelivery(org.orgId, ep.id);
    await scoped(org.orgId)("webhook_deliveries").updateOne({ _id: old._id }, { $set: { createdAt: new Date(Date.now() - 400 * 24 * 3600_000) } });
    const recent = await seedDelivery(org.orgId, ep.id);
    await retentionJob.handle({ orgId: org.orgId.toHexString(), batchSize: 500 }, { messageId: "retention-webhooks", attempt: 1, enqueue: async () => ({ messageId: "x", deduplicated: false }) });
    const left = await scoped(org.orgId)("webhook_deliveries").find({ _id: { $in: [old._id, recent._id] } }).toArray();
    expect(left.map((d) => d._id.toHexString())).toEqual([recent._id.toHexString()]);
  });
});

/** The endpoint's log once `done` holds (deliveries run in the background, in-process). */
async function waitForLog(endpointId: string, done: (d: WebhookDelivery[]) => boolean, user = org.users.admin): Promise<WebhookDelivery[]> {
  for (;;) {
    const res = await call(deliveriesRoute, user, "/x", { id: endpointId });
    if (done(res.body.deliveries)) return res.body.deliveries;
    // The job records its attempt right after the receiver answered; poll the log until it has.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
