import { randomUUID } from "node:crypto";
import path from "node:path";
import { ObjectId } from "mongodb";
import type { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureDefaultAgents, listAgents } from "@/lib/ai/agents";
import { createArticle } from "@/lib/ai/knowledge";
import { recordRun } from "@/lib/ai/run-log";
import { can } from "@/lib/auth/permissions";
import { getDb } from "@/lib/db/client";
import { globalCollections, rawCollection } from "@/lib/db/collections";
import { resetEnvCache } from "@/lib/env";
import { createCannedResponse } from "@/lib/inbox/canned-responses";
import { createTicket } from "@/lib/tickets/tickets";
import type { UserDoc } from "@/lib/schemas/user";
import { countWebhookEvents, listWebhookEvents } from "@/lib/webhook/events-admin";
import { saveMedia } from "@/lib/whatsapp/media-store";
import { ROOT, scanRoute, type HttpMethod } from "../support/access-declarations";
import { request } from "../support/factories";
import { useOfflineAi } from "../support/fake-gemini-env";
import { seedConversation, seedMessage } from "../support/inbox-fixtures";
import { orgWithAccount } from "../support/whatsapp-webhook";

/**
 * Tenancy: two organizations, each with a document of every resource type. Org B's admin and agent
 * read and write each of org A's documents by id: 404 and no data (403 only where the role lacks
 * the permission anyway), and nothing of org A changes; writes inside B that reference A's ids are
 * refused. Every list B can read contains none of A's ids or marker text (and B's own, so an empty
 * list cannot pass for a scoped one). Records no organization owns (an unmapped webhook envelope,
 * a platform job run) are shown to, and replayable or retryable by, neither organization.
 * Table-driven: one row per route and method; the permission a row needs is read from the route's
 * declaration (tests/support/access-declarations.ts), not repeated here.
 */

const MARK_A = "alphaorgmark";
const MARK_NULL = "nullorgmark";

type Org = Awaited<ReturnType<typeof seedOrg>>;
type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** A document of every resource type, named with the organization's marker. */
async function seedOrg(mark: string) {
  const org = await orgWithAccount();
  const { orgId, users, account } = org;
  const conversation = await seedConversation(orgId, { accountId: account._id, name: `${mark} Customer`, unreadCount: 1 });
  const inbound = await seedMessage(orgId, conversation, { text: `${mark} where is my order` });
  const failed = await seedMessage(orgId, conversation, { direction: "outbound", status: "failed", text: `${mark} reply` });
  const note = await seedMessage(orgId, conversation, { direction: "outbound", type: "note", text: `${mark} internal note`, waMessageId: null });
  const actor = { id: users.admin._id, name: users.admin.name, ip: null };
  const canned = await createCannedResponse(orgId, actor, { shortcut: `${mark.slice(0, 5)}${randomUUID().slice(0, 6)}`, title: `${mark} greeting`, body: `${mark} hello` });
  const article = await createArticle(orgId, { title: `${mark} returns`, body: `${mark} within 30 days`, active: true });
  await ensureDefaultAgents(orgId);
  const agents = await listAgents(orgId);
  const run = await recordRun(orgId, { agent: { _id: agents[0]!._id, type: agents[0]!.type }, provider: "offline", model: "offline-ai", conversationId: conversation._id, turn: 1, outcome: "analysed", output: `${mark} run` });
  const now = new Date();
  const template = new ObjectId();
  await rawCollection("whatsapp_templates").insertOne({
    _id: template, orgId, accountId: account._id, wabaId: account.wabaId, metaId: `meta-${template.toHexString()}`, name: `${mark}_welcome`, language: "en", category: "UTILITY",
    status: "APPROVED", qualityScore: null, rejectedReason: null, parameterFormat: "positional", components: [{ type: "BODY", text: `${mark} welcome` }],
    key: `${account.wabaId}:${mark}_welcome:en`, syncedAt: now, createdAt: now, updatedAt: now,
  });
  const fileId = await saveMedia({ bytes: new Uint8Array([137, 80, 78, 71]), filename: `${mark}.png`, meta: { orgId, mimeType: "image/png", source: "upload", messageId: null, uploadedBy: users.admin._id } });
  const event = await insertWebhookEvent(orgId, mark);
  const jobRun = await insertFailedRun(orgId);
  await rawCollection("settings").updateOne({ orgId }, { $set: { handoverMessage: `${mark} a human will answer` } });
  const ticket = (await createTicket(orgId, actor, { subject: `${mark} refund`, description: `${mark} card charged twice`, conversationId: conversation._id.toHexString() }, "agent"))._id;
  const ids = {
    org: orgId, account: account._id, conversation: conversation._id, contact: conversation.contactId, inbound: inbound._id, failed: failed._id, note: note._id,
    canned: canned._id, article: article._id, aiAgent: agents[0]!._id, run, template, fileId, event, jobRun, ticket,
    admin: users.admin._id, supervisor: users.supervisor._id, agent: users.agent._id, viewer: users.viewer._id, agent2: users.agent2._id,
  };
  return { ...org, ids, hex: Object.fromEntries(Object.entries(ids).map(([k, v]) => [k, v.toHexString()])) as Record<keyof typeof ids, string> };
}

async function insertWebhookEvent(orgId: ObjectId | null, mark: string) {
  const _id = new ObjectId();
  const rawBody = JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: mark, changes: [] }] });
  await rawCollection("webhook_events").insertOne({
    _id, orgId, source: "whatsapp", bodyHash: `hash-${_id.toHexString()}`, rawBody, receivedAt: new Date(), outcome: orgId ? "processed" : "unprocessed",
    reason: orgId ? null : "no organization owns this phone number id", counts: { messages: 0, statuses: 0, other: 0 }, attempts: 1, lastProcessedAt: new Date(),
  });
  return _id;
}

/** A failed run: an organization's (retention of its records) or, with orgId null, the platform's own (the fan-out, with an empty payload). */
async function insertFailedRun(orgId: ObjectId | null) {
  const _id = new ObjectId();
  await rawCollection("workflow_executions").insertOne({
    _id, orgId, job: orgId ? "retention" : "wake-snoozed", messageId: `tenant-${_id.toHexString()}`, payload: orgId ? { orgId: orgId.toHexString() } : {},
    status: "failed", attempts: 1, error: "the downstream API is down", durationMs: 5, startedAt: new Date(), completedAt: new Date(), retriedAs: null,
  });
  return _id;
}

let a: Org;
let b: Org;
let unmappedEvent: ObjectId;
let platformRun: ObjectId;
/** Everything B must never see: A's ids and marker, and the records no organization owns. */
let forbiddenText: string[];

beforeAll(async () => {
  useOfflineAi();
  // Nothing here may reach Meta: a Graph call would fail fast against a closed port.
  process.env.WHATSAPP_GRAPH_API_URL = "http://127.0.0.1:9";
  resetEnvCache();
  a = await seedOrg(MARK_A);
  b = await seedOrg("bravoorgmark");
  unmappedEvent = await insertWebhookEvent(null, MARK_NULL);
  platformRun = await insertFailedRun(null);
  forbiddenText = [...Object.values(a.hex), unmappedEvent.toHexString(), platformRun.toHexString(), MARK_A, MARK_NULL];
});

/** Every document org A owns, and the unowned ones, to prove B's attempts changed nothing. */
async function snapshot() {
  const names = (await getDb().listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
  const out: Record<string, unknown[]> = {};
  for (const name of names) {
    if ((globalCollections as readonly string[]).includes(name) || name.endsWith(".chunks")) continue;
    // GridFS file documents carry the organization in their metadata.
    const filter = name.endsWith(".files") ? { "metadata.orgId": a.orgId } : { orgId: { $in: [a.orgId, null] } };
    out[name] = await getDb().collection(name).find(filter, { sort: { _id: 1 } }).toArray();
  }
  return out;
}

const handlers = new Map<string, Record<string, Handler>>();
async function handlerFor(route: string, method: HttpMethod): Promise<Handler> {
  const file = `app${route}/route.ts`;
  if (!handlers.has(file)) handlers.set(file, (await import(path.join(ROOT, file))) as Record<string, Handler>);
  const handler = handlers.get(file)![method];
  if (!handler) throw new Error(`${file} exports no ${method}`);
  return handler;
}

/** Whether the route's declaration lets the role through (a role without it gets 403 whatever the id). */
function roleMay(route: string, method: HttpMethod, user: UserDoc): boolean {
  const declared = scanRoute(`app${route}/route.ts`).methods.find((m) => m.method === method);
  if (!declared || !("access" in declared)) throw new Error(`${method} ${route} has no declaration`);
  return declared.access.kind !== "permission" || can(user.role, declared.access.permission);
}

async function call(user: UserDoc, route: string, method: HttpMethod, params: Record<string, string>, body?: unknown, query = "") {
  const url = route.replace(/\[(\w+)\]/g, (_m, name: string) => params[name]!) + query;
  const res = await (await handlerFor(route, method))(await request(user, url, { method, body }), { params: Promise.resolve(params) });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : null };
}

type ByIdRow = { route: string; method: HttpMethod; of: string; params: () => Record<string, string>; body?: () => unknown };
const key = () => `tenant-${randomUUID().slice(0, 12)}`;

/** B's users acting on A's documents by id. */
const byId: ByIdRow[] = [
  { route: "/api/conversations/[id]", method: "GET", of: "A's conversation", params: () => ({ id: a.hex.conversation }) },
  { route: "/api/conversations/[id]", method: "PATCH", of: "A's conversation", params: () => ({ id: a.hex.conversation }), body: () => ({ priority: "urgent" }) },
  { route: "/api/conversations/[id]/assignee", method: "PUT", of: "A's conversation", params: () => ({ id: a.hex.conversation }), body: () => ({ assigneeId: "me" }) },
  { route: "/api/conversations/[id]/status", method: "PUT", of: "A's conversation", params: () => ({ id: a.hex.conversation }), body: () => ({ status: "resolved" }) },
  { route: "/api/conversations/[id]/read", method: "POST", of: "A's conversation", params: () => ({ id: a.hex.conversation }) },
  { route: "/api/conversations/[id]/notes", method: "POST", of: "A's conversation", params: () => ({ id: a.hex.conversation }), body: () => ({ idempotencyKey: key(), text: "peek" }) },
  { route: "/api/conversations/[id]/messages", method: "GET", of: "A's conversation", params: () => ({ id: a.hex.conversation }) },
  { route: "/api/conversations/[id]/messages", method: "POST", of: "A's conversation", params: () => ({ id: a.hex.conversation }), body: () => ({ idempotencyKey: key(), content: { type: "text", text: "hi" } }) },
  { route: "/api/conversations/[id]/messages/[messageId]/retry", method: "POST", of: "A's conversation + A's failed message", params: () => ({ id: a.hex.conversation, messageId: a.hex.failed }) },
  // B's own conversation with A's message: the message is looked up in B's organization too.
  { route: "/api/conversations/[id]/messages/[messageId]/retry", method: "POST", of: "B's conversation + A's failed message", params: () => ({ id: b.hex.conversation, messageId: a.hex.failed }) },
  { route: "/api/conversations/[id]/analyze", method: "GET", of: "A's conversation", params: () => ({ id: a.hex.conversation }) },
  { route: "/api/conversations/[id]/analyze", method: "POST", of: "A's conversation", params: () => ({ id: a.hex.conversation }) },
  { route: "/api/conversations/[id]/suggestions", method: "POST", of: "A's conversation", params: () => ({ id: a.hex.conversation }) },
  { route: "/api/contacts/[id]", method: "GET", of: "A's contact", params: () => ({ id: a.hex.contact }) },
  { route: "/api/contacts/[id]", method: "PATCH", of: "A's contact", params: () => ({ id: a.hex.contact }), body: () => ({ name: "Taken over" }) },
  { route: "/api/canned-responses/[id]", method: "PATCH", of: "A's saved reply", params: () => ({ id: a.hex.canned }), body: () => ({ title: "Taken over" }) },
  { route: "/api/canned-responses/[id]", method: "DELETE", of: "A's saved reply", params: () => ({ id: a.hex.canned }) },
  { route: "/api/knowledge-articles/[id]", method: "PATCH", of: "A's article", params: () => ({ id: a.hex.article }), body: () => ({ active: false }) },
  { route: "/api/knowledge-articles/[id]", method: "DELETE", of: "A's article", params: () => ({ id: a.hex.article }) },
  { route: "/api/ai-agents/[id]", method: "PATCH", of: "A's AI agent", params: () => ({ id: a.hex.aiAgent }), body: () => ({ active: false }) },
  { route: "/api/ai-agents/[id]/test", method: "POST", of: "A's AI agent", params: () => ({ id: a.hex.aiAgent }), body: () => ({ messages: [{ from: "customer", text: "hi" }] }) },
  { route: "/api/users/[id]", method: "GET", of: "A's admin", params: () => ({ id: a.hex.admin }) },
  { route: "/api/users/[id]", method: "PATCH", of: "A's agent", params: () => ({ id: a.hex.agent }), body: () => ({ role: "viewer" }) },
  { route: "/api/media/[fileId]", method: "GET", of: "A's media file", params: () => ({ fileId: a.hex.fileId }) },
  { route: "/api/webhook-events/[id]/replay", method: "POST", of: "A's webhook event", params: () => ({ id: a.hex.event }) },
  { route: "/api/webhook-events/[id]/replay", method: "POST", of: "an unmapped webhook event", params: () => ({ id: unmappedEvent.toHexString() }) },
  { route: "/api/jobs-admin/[id]/retry", method: "POST", of: "A's job run", params: () => ({ id: a.hex.jobRun }) },
  { route: "/api/jobs-admin/[id]/retry", method: "POST", of: "a platform job run", params: () => ({ id: platformRun.toHexString() }) },
  { route: "/api/tickets/[id]", method: "GET", of: "A's ticket", params: () => ({ id: a.hex.ticket }) },
  { route: "/api/tickets/[id]", method: "PATCH", of: "A's ticket", params: () => ({ id: a.hex.ticket }), body: () => ({ priority: "urgent" }) },
  { route: "/api/tickets/[id]/notes", method: "POST", of: "A's ticket", params: () => ({ id: a.hex.ticket }), body: () => ({ text: "peek" }) },
  { route: "/api/templates/sync", method: "POST", of: "A's WhatsApp account", params: () => ({}), body: () => ({ accountId: a.hex.account }) },
];

type RefRow = { name: string; route: string; method: HttpMethod; params: () => Record<string, string>; body: () => unknown; status: number };

/** Writes into B's own documents that name one of A's: refused, and nothing of A's is referenced afterwards. */
const references: RefRow[] = [
  { name: "assign B's conversation to A's agent", route: "/api/conversations/[id]/assignee", method: "PUT", params: () => ({ id: b.hex.conversation }), body: () => ({ assigneeId: a.hex.agent }), status: 422 },
  { name: "open a ticket on A's conversation", route: "/api/tickets", method: "POST", params: () => ({}), body: () => ({ subject: "x", conversationId: a.hex.conversation }), status: 422 },
  { name: "open a ticket for A's contact", route: "/api/tickets", method: "POST", params: () => ({}), body: () => ({ subject: "x", contactId: a.hex.contact }), status: 422 },
  { name: "assign B's ticket to A's agent", route: "/api/tickets/[id]", method: "PATCH", params: () => ({ id: b.hex.ticket }), body: () => ({ assigneeId: a.hex.agent }), status: 422 },
  { name: "link A's ticket to B's", route: "/api/tickets/[id]", method: "PATCH", params: () => ({ id: b.hex.ticket }), body: () => ({ relatedTicketIds: [a.hex.ticket] }), status: 422 },
  { name: "mention A's agent in a note", route: "/api/conversations/[id]/notes", method: "POST", params: () => ({ id: b.hex.conversation }), body: () => ({ idempotencyKey: key(), text: "see", mentions: [a.hex.agent] }), status: 422 },
  { name: "reply to A's message", route: "/api/conversations/[id]/messages", method: "POST", params: () => ({ id: b.hex.conversation }), body: () => ({ idempotencyKey: key(), content: { type: "text", text: "re" }, replyToMessageId: a.hex.inbound }), status: 422 },
  { name: "send A's media file", route: "/api/conversations/[id]/messages", method: "POST", params: () => ({ id: b.hex.conversation }), body: () => ({ idempotencyKey: key(), content: { type: "image", fileId: a.hex.fileId } }), status: 422 },
];

type ListRow = { route: string; label?: string; query?: () => string; params?: () => Record<string, string>; /** B's own ids the admin's answer must contain. */ includes: () => string[] };

/** Every list B can read. */
const lists: ListRow[] = [
  { route: "/api/conversations", includes: () => [b.hex.conversation, b.hex.contact] },
  { route: "/api/conversations", label: "searching for A's marker", query: () => `?q=${MARK_A}&status=any`, includes: () => [] },
  { route: "/api/conversations", label: "live poll", query: () => `?updatedAfter=${encodeURIComponent(new Date(0).toISOString())}`, includes: () => [b.hex.conversation] },
  { route: "/api/conversations/counts", includes: () => [] },
  { route: "/api/conversations/assignees", includes: () => [b.hex.admin, b.hex.agent] },
  { route: "/api/conversations/[id]/messages", label: "B's thread", params: () => ({ id: b.hex.conversation }), includes: () => [b.hex.inbound, b.hex.note] },
  { route: "/api/contacts/[id]", label: "B's contact panel", params: () => ({ id: b.hex.contact }), includes: () => [b.hex.contact, b.hex.conversation] },
  { route: "/api/canned-responses", includes: () => [b.hex.canned] },
  { route: "/api/knowledge-articles", includes: () => [b.hex.article] },
  { route: "/api/ai-agents", includes: () => [b.hex.aiAgent] },
  { route: "/api/ai-runs", includes: () => [b.hex.run] },
  { route: "/api/ai-runs", label: "filtered by A's conversation", query: () => `?conversationId=${a.hex.conversation}`, includes: () => [] },
  { route: "/api/templates", includes: () => [b.hex.template] },
  { route: "/api/templates", label: "filtered by A's account", query: () => `?accountId=${a.hex.account}`, includes: () => [] },
  { route: "/api/users", includes: () => [b.hex.admin, b.hex.viewer] },
  { route: "/api/jobs-admin", includes: () => [b.hex.jobRun] },
  { route: "/api/settings", includes: () => ["bravoorgmark a human will answer"] },
  { route: "/api/tickets", label: "every ticket", query: () => "?view=all", includes: () => [b.hex.ticket] },
  { route: "/api/tickets", label: "A's ticket number", query: () => "?number=TICKET-" + new Date().getUTCFullYear() + "-000001", includes: () => [b.hex.ticket] },
  { route: "/api/tickets", label: "filtered by A's conversation", query: () => `?conversationId=${a.hex.conversation}`, includes: () => [] },
];

describe("org B's users acting on org A's documents by id", () => {
  it.each(byId.map((r) => [`${r.method} ${r.route} (${r.of})`, r] as const))("%s", async (_name, row) => {
    const before = await snapshot();
    for (const user of [b.users.admin, b.users.agent]) {
      const res = await call(user, row.route, row.method, row.params(), row.body?.());
      const as = `${row.method} ${row.route} as B's ${user.role}: ${res.status} ${res.text.slice(0, 300)}`;
      if (roleMay(row.route, row.method, user)) {
        expect(res.status, as).toBe(404);
        expect(res.body.error.code, as).toBe("not_found");
      } else {
        expect(res.status, as).toBe(403);
        expect(res.body, as).toEqual({ error: { code: "forbidden", message: "Your role does not allow this action" } });
      }
      expect(Object.keys(res.body), as).toEqual(["error"]);
      for (const s of forbiddenText) expect(res.text.toLowerCase(), as).not.toContain(s);
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe("org B's writes that name org A's documents", () => {
  it.each(references.map((r) => [r.name, r] as const))("%s is refused", async (_name, row) => {
    const before = await snapshot();
    const res = await call(b.users.admin, row.route, row.method, row.params(), row.body());
    expect(res.status, res.text).toBe(row.status);
    for (const s of forbiddenText) expect(res.text.toLowerCase()).not.toContain(s);
    expect(await snapshot()).toEqual(before);
    const bDocs = JSON.stringify(await getDb().collection("messages").find({ orgId: b.orgId }).toArray()) + JSON.stringify(await getDb().collection("conversations").find({ orgId: b.orgId }).toArray());
    for (const s of Object.values(a.hex)) expect(bDocs).not.toContain(s);
  });
});

describe("org B's lists", () => {
  it.each(lists.map((r) => [`${r.route}${r.label ? ` (${r.label})` : ""}`, r] as const))("%s shows none of org A's documents", async (_name, row) => {
    for (const user of [b.users.admin, b.users.agent]) {
      const res = await call(user, row.route, "GET", row.params?.() ?? {}, undefined, row.query?.() ?? "");
      const as = `GET ${row.route} as B's ${user.role}: ${res.status} ${res.text.slice(0, 300)}`;
      if (!roleMay(row.route, "GET", user)) {
        expect(res.status, as).toBe(403);
        continue;
      }
      expect(res.status, as).toBe(200);
      for (const s of forbiddenText) expect(res.text.toLowerCase(), as).not.toContain(s);
      if (user === b.users.admin) for (const own of row.includes()) expect(res.text, `${as}: B's own ${own}`).toContain(own);
    }
  });

  it("counts only B's conversations", async () => {
    const res = await call(b.users.admin, "/api/conversations/counts", "GET", {});
    expect(res.body.counts).toMatchObject({ all: 1, unread: 1 });
  });

  it("webhook events (the admin page's data): B's own only, never A's or an unmapped envelope", async () => {
    const page = await listWebhookEvents(b.orgId, { limit: 100 });
    expect(page.events.map((e) => e.id)).toEqual([b.hex.event]);
    expect(await countWebhookEvents(b.orgId)).toEqual({ processed: 1, unprocessed: 0, invalid_json: 0, failed: 0 });
  });

  it("the platform's own job runs are listed to neither organization", async () => {
    for (const [org, other] of [[a, b], [b, a]] as const) {
      const res = await call(org.users.admin, "/api/jobs-admin", "GET", {});
      const ids: string[] = res.body.executions.map((e: { id: string }) => e.id);
      // Its own runs only: the seeded one, plus any its actions queued (outbound webhook fan-outs).
      expect(ids).toContain(org.hex.jobRun);
      expect(ids).not.toContain(platformRun.toHexString());
      expect(ids).not.toContain(other.hex.jobRun);
    }
  });
});
