import { startBulkAction } from "@/lib/contacts/bulk";
import { createContact } from "@/lib/contacts/directory";
import { createCustomField } from "@/lib/contacts/custom-fields";
import { createImport } from "@/lib/contacts/import/imports";
import { createContactList } from "@/lib/contacts/lists";
import { mergeContacts } from "@/lib/contacts/merge";
import { createSegment } from "@/lib/contacts/segments/store";
import { createCampaign } from "@/lib/campaigns/campaigns";
import { scoped } from "@/lib/db/scoped";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { ObjectId } from "mongodb";
import type { NextRequest } from "next/server";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { createArticle } from "@/lib/ai/knowledge";
import { ensureDefaultAgents, listAgents } from "@/lib/ai/agents";
import { can, type Permission } from "@/lib/auth/permissions";
import { rawCollection } from "@/lib/db/collections";
import { resetEnvCache } from "@/lib/env";
import { createCannedResponse } from "@/lib/inbox/canned-responses";
import { createTicket } from "@/lib/tickets/tickets";
import { createTrigger } from "@/lib/automation/triggers";
import { sendTestPing } from "@/lib/outbound-webhooks/deliveries";
import { createWebhookEndpoint } from "@/lib/outbound-webhooks/endpoints";
import { roles, type Role } from "@/lib/schemas/common";
import type { UserDoc } from "@/lib/schemas/user";
import { createUser, updateUser } from "@/lib/team/users";
import { saveMedia } from "@/lib/whatsapp/media-store";
import { navFor, navItems, settingsGroups } from "@/components/shell/nav-items";
import { signQstashJwt } from "../fakes/qstash-server";
import {
  findFiles,
  HTTP_METHODS,
  layoutsOf,
  ROOT,
  scanPageChecks,
  scanRoute,
  type HttpMethod,
  type RouteAccess,
  type RouteFile,
} from "../support/access-declarations";
import { request, TEST_PASSWORD } from "../support/factories";
import { useOfflineAi } from "../support/fake-gemini-env";
import { seedConversation, seedMessage } from "../support/inbox-fixtures";
import { QSTASH_KEYS, useQstashEnv } from "../support/jobs";
import { APP_SECRET, envelope, orgWithAccount, postWebhook, textMessage, VERIFY_TOKEN } from "../support/whatsapp-webhook";
import { signWhatsAppBody } from "@/lib/webhook/signature";
import { createApiKey } from "@/lib/api-keys/keys";
import { apiLevels, apiResources, type ApiScope } from "@/lib/schemas/api-key";

/**
 * The authorization matrix: every route under app/api and every page under app, found on disk
 * when the test runs, with its declared access, called as every identity.
 *
 * How a declaration is found. Statically, with the TypeScript parser (tests/support/access-
 * declarations.ts), because a wrapper returns an anonymous closure: importing a route module
 * shows which methods it exports, not which permission they were wrapped with. Each exported
 * HTTP method must be a call of a known wrapper imported from its own module (`withOrg`,
 * `withPublic({ access: "public" })`, `withApiKey({ scope })`, `withQstash`, `withCron`, `withWhatsAppSignature`,
 * next-auth's `NextAuth`), or a local name bound to one; `withOrg`'s options must be an object
 * literal without spreads whose `permission` is a string literal (absent: any signed-in user). A
 * plain exported function declares nothing and fails unless listed in `exempt` below with its
 * reason. Then the module is imported and its exported methods must be exactly the ones read from
 * the source, so the parser cannot miss one.
 *
 * What is checked. Each route x method is called as signed-out, a deactivated admin and every
 * role, with a harmless request (real fixture ids; bodies may fail validation, which happens after
 * the permission check): signed-out and deactivated get 401 from withOrg; a role without the
 * permission 403; a role with it anything but 401/403 and never a 5xx. Job, cron and webhook
 * routes refuse every session identity (401) and accept their own credential. Public API routes
 * (/api/v1, `withApiKey`) refuse every session (401), refuse a key with another resource's scope or
 * a lower level of the same resource (403), and accept a key holding exactly the declared scope. Pages: every page
 * under app/(app) must call `requirePageUser(permission)` itself, since Next does not re-render
 * layouts on client navigation, so a layout's check does not protect the page's data (a page that
 * renders no data may rely on its layouts: `staticPages`); pages outside it are public by a listed
 * reason. Each page and each checking layout is then run (its default export, as Next would call
 * it, with next-auth's session faked) as every identity: signed-out -> redirect to sign-in,
 * without the permission -> the 403 page, with it -> rendered.
 *
 * Limits: next-auth's own route is only recognised, not called (its handler needs Next's request
 * scope; tests/integration/auth.test.ts covers the credentials check). Pages are run as server
 * components, not rendered to HTML. The proxy's redirect of signed-out page visits is not
 * exercised (pages refuse on their own).
 */

let pageSession: { user: { id: string; orgId: string } } | null = null;
vi.mock("next-auth", async (importOriginal) => ({ ...(await importOriginal<typeof import("next-auth")>()), getServerSession: vi.fn(async () => pageSession) }));

/** Plain exported functions that are public by design: the only routes without a wrapper. */
const exempt: Record<string, { reason: string; anyone: number; credential?: () => Promise<NextRequest>; credentialStatus?: number }> = {
  "app/api/health/route.ts GET": { reason: "load balancer health check: pings the database, returns no data", anyone: 200 },
  "app/api/webhooks/whatsapp/route.ts GET": {
    reason: "Meta's verification handshake: the verify token is the credential",
    anyone: 403,
    credential: () => request(null, `/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=42`),
    credentialStatus: 200,
  },
};

/** Pages outside app/(app), public by design. */
const publicPages: Record<string, string> = {
  "app/sign-in/page.tsx": "the sign-in form",
  "app/setup/page.tsx": "first-run setup: a 404 once any user exists; the setup token is the credential",
  "app/simulator/page.tsx": "the customer simulator: a 404 unless SIMULATOR_ENABLED (dev and tests only)",
};

/** Pages under app/(app) that render no data and rely on their layouts' checks. */
const staticPages: Record<string, string> = {
  "app/(app)/inbox/page.tsx": "the hint shown before a conversation is picked",
};

/** Pages under app/(app) that only redirect to another page (which checks access itself). */
const redirectPages: Record<string, string> = {
  "app/(app)/settings/templates/page.tsx": "moved to /templates",
};

/** Pages under app/(app) that every signed-in user may open: `requirePageUser()` with no permission. */
const signedInPages: Record<string, string> = {
  "app/(app)/account/page.tsx": "the signed-in user's own account (their password)",
  "app/(app)/settings/page.tsx": "the index of settings, listing only the ones the role may open",
};

/** Permissions that grant reading only: no state-changing method may be declared with one. */
const readOnlyPermissions: Permission[] = ["read:conversations", "view:analytics"];

type Identity = { name: string; role: Role | null; user: UserDoc | null };
type Fixtures = Awaited<ReturnType<typeof createFixtures>>;
type Call = { params?: Record<string, string | string[]>; query?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> };

const routes: RouteFile[] = findFiles("app/api", "route.ts").map(scanRoute);
const pages = findFiles("app", "page.tsx");
const checkingLayouts = findFiles("app", "layout.tsx").filter((f) => scanPageChecks(f).calls.length > 0);

/** The ids a route's dynamic segments take: every route with a segment needs an entry (a new one fails until it has one). */
const paramsFor: Record<string, (fx: Fixtures) => Promise<Record<string, string | string[]>> | Record<string, string | string[]>> = {
  "/api/ai-agents/[id]": (fx) => ({ id: fx.agentId }),
  "/api/ai-agents/[id]/test": (fx) => ({ id: fx.agentId }),
  "/api/auth/[...nextauth]": () => ({ nextauth: ["session"] }),
  "/api/campaigns/[id]": async (fx) => ({ id: await fx.freshCampaign() }),
  "/api/campaigns/[id]/plan": async (fx) => ({ id: await fx.freshCampaign() }),
  "/api/campaigns/[id]/send": async (fx) => ({ id: await fx.freshCampaign() }),
  "/api/campaigns/[id]/schedule": async (fx) => ({ id: await fx.freshCampaign() }),
  "/api/campaigns/[id]/pause": async (fx) => ({ id: await fx.freshCampaign() }),
  "/api/campaigns/[id]/resume": async (fx) => ({ id: await fx.freshCampaign() }),
  "/api/campaigns/[id]/cancel": async (fx) => ({ id: await fx.freshCampaign() }),
  "/api/campaigns/[id]/test": async (fx) => ({ id: await fx.freshCampaign() }),
  "/api/campaigns/[id]/recipients": async (fx) => ({ id: await fx.freshCampaign() }),
  "/api/campaigns/[id]/timeline": async (fx) => ({ id: await fx.freshCampaign() }),
  "/api/campaigns/[id]/export": async (fx) => ({ id: await fx.freshCampaign() }),
  "/api/campaigns/[id]/retarget": async (fx) => ({ id: await fx.freshCampaign() }),
  "/api/canned-responses/[id]": async (fx) => ({ id: await fx.freshCannedResponse() }),
  "/api/contact-imports/[id]": async (fx) => ({ id: await fx.freshImport() }),
  "/api/contact-imports/[id]/dry-run": async (fx) => ({ id: await fx.freshImport() }),
  "/api/contact-imports/[id]/report": async (fx) => ({ id: await fx.freshImport() }),
  "/api/contact-imports/[id]/resume": async (fx) => ({ id: await fx.freshImport() }),
  "/api/contact-imports/[id]/start": async (fx) => ({ id: await fx.freshImport() }),
  "/api/contact-lists/[id]": async (fx) => ({ id: await fx.freshList() }),
  "/api/contacts/[id]": (fx) => ({ id: fx.contactId }),
  "/api/contacts/[id]/data": (fx) => ({ id: fx.contactId }),
  "/api/contacts/[id]/notes": (fx) => ({ id: fx.contactId }),
  "/api/contacts/[id]/score": (fx) => ({ id: fx.contactId }),
  "/api/contacts/[id]/journey": (fx) => ({ id: fx.contactId }),
  "/api/contacts/[id]/journey/undo": (fx) => ({ id: fx.contactId }),
  "/api/contacts/[id]/journey/suggestion": (fx) => ({ id: fx.contactId }),
  "/api/contacts/[id]/erase": async (fx) => ({ id: await fx.freshContact() }),
  "/api/contacts/bulk/[id]": async (fx) => ({ id: await fx.freshBulkAction() }),
  "/api/contacts/merges/[id]/undo": async (fx) => ({ id: await fx.freshMerge() }),
  "/api/conversations/[id]": (fx) => ({ id: fx.conversationId }),
  "/api/conversations/[id]/analyze": (fx) => ({ id: fx.conversationId }),
  "/api/conversations/[id]/assignee": (fx) => ({ id: fx.conversationId }),
  "/api/conversations/[id]/messages": (fx) => ({ id: fx.conversationId }),
  "/api/conversations/[id]/messages/[messageId]/retry": (fx) => ({ id: fx.conversationId, messageId: fx.messageId }),
  "/api/conversations/[id]/notes": (fx) => ({ id: fx.conversationId }),
  "/api/conversations/[id]/read": (fx) => ({ id: fx.conversationId }),
  "/api/conversations/[id]/status": (fx) => ({ id: fx.conversationId }),
  "/api/conversations/[id]/suggestions": (fx) => ({ id: fx.conversationId }),
  "/api/cron/[name]": () => ({ name: "wake-snoozed" }),
  "/api/custom-fields/[id]": async (fx) => ({ id: await fx.freshCustomField() }),
  "/api/jobs-admin/[id]/retry": async (fx) => ({ id: await fx.freshFailedRun() }),
  "/api/jobs/[name]": () => ({ name: "wake-snoozed" }),
  "/api/knowledge-articles/[id]": async (fx) => ({ id: await fx.freshArticle() }),
  "/api/media/[fileId]": (fx) => ({ fileId: fx.fileId }),
  "/api/segments/[id]": async (fx) => ({ id: await fx.freshSegment() }),
  // DISABLED: DELETE is refused before Meta is called (and PATCH's empty body fails validation).
  "/api/templates/[id]": async (fx) => ({ id: await fx.freshTemplate("DISABLED") }),
  "/api/tickets/[id]": async (fx) => ({ id: await fx.freshTicket() }),
  // DELETE removes the trigger: a fresh one each call.
  "/api/automations/[id]": async (fx) => ({ id: await fx.freshTrigger() }),
  "/api/automations/[id]/runs": (fx) => ({ id: fx.triggerId }),
  "/api/tickets/[id]/notes": async (fx) => ({ id: await fx.freshTicket() }),
  "/api/users/[id]": (fx) => ({ id: fx.colleagueId }),
  "/api/webhook-events/[id]/replay": (fx) => ({ id: fx.webhookEventId }),
  // DELETE removes the endpoint: a fresh one each call (its URL refuses connections, so a test ping stays local).
  "/api/webhook-endpoints/[id]": async (fx) => ({ id: await fx.freshWebhookEndpoint() }),
  "/api/webhook-endpoints/[id]/test": async (fx) => ({ id: await fx.freshWebhookEndpoint() }),
  "/api/webhook-endpoints/[id]/deliveries": async (fx) => ({ id: await fx.freshWebhookEndpoint() }),
  "/api/webhook-endpoints/[id]/deliveries/[deliveryId]/replay": async (fx) => fx.freshWebhookDelivery(),
  "/r/[token]": () => ({ token: "not-a-token" }),
  "/api/whatsapp-accounts/[id]": (fx) => ({ id: fx.org.account._id.toHexString() }),
  "/api/api-keys/[id]": async (fx) => ({ id: (await createApiKey(fx.org.orgId, { id: fx.org.users.admin._id, name: "admin" }, { name: "matrix revoke", scopes: ["contacts:read"] })).apiKey._id.toHexString() }),
  // DELETE erases the contact: a fresh one each call.
  "/api/v1/contacts/[id]": async (fx) => ({ id: await fx.freshContact() }),
  "/api/v1/contacts/[id]/tags": (fx) => ({ id: fx.contactId }),
  "/api/v1/contacts/[id]/consent": (fx) => ({ id: fx.contactId }),
  "/api/v1/contacts/[id]/events": (fx) => ({ id: fx.contactId }),
  "/api/v1/conversations/[id]": (fx) => ({ id: fx.conversationId }),
  "/api/v1/conversations/[id]/assignee": (fx) => ({ id: fx.conversationId }),
  "/api/v1/conversations/[id]/status": (fx) => ({ id: fx.conversationId }),
  "/api/v1/conversations/[id]/messages": (fx) => ({ id: fx.conversationId }),
  "/api/v1/templates/[id]": (fx) => ({ id: fx.templateId }),
  "/api/v1/tickets/[id]": (fx) => ({ id: fx.ticketId }),
};

/** Requests that would reach the outside world with the default body: kept local. */
const bodyFor: Record<string, unknown> = {
  // An account that does not exist: syncing a real one would call Meta.
  "POST /api/templates/sync": { accountId: new ObjectId().toHexString() },
};

async function createFixtures() {
  const org = await orgWithAccount();
  const { orgId, users, account } = org;
  const deactivated = await createUser(orgId, { email: `gone-${orgId.toHexString()}@example.com`, name: "Former admin", role: "admin", password: TEST_PASSWORD, createdBy: null });
  await updateUser(orgId, deactivated._id, { active: false });
  const conversation = await seedConversation(orgId, { accountId: account._id });
  // Not failed, so a retry is refused (409) instead of sending to WhatsApp.
  const message = await seedMessage(orgId, conversation, { direction: "outbound", status: "sent" });
  await ensureDefaultAgents(orgId);
  const [agent] = await listAgents(orgId);
  const fileId = await saveMedia({ bytes: new Uint8Array([137, 80, 78, 71]), filename: "a.png", meta: { orgId, mimeType: "image/png", source: "upload", messageId: null, uploadedBy: null } });
  const body = envelope(account, textMessage("16505550990", `wamid.MATRIX${orgId.toHexString()}`, "hello"));
  await postWebhook(body);
  const event = (await rawCollection("webhook_events").findOne({ rawBody: JSON.stringify(body) }))!;
  const actor = { id: users.admin._id, name: users.admin.name, ip: null };
  const freshTemplate = async (status: string) => {
    const _id = new ObjectId();
    const now = new Date();
    await rawCollection("whatsapp_templates").insertOne({
      _id, orgId, accountId: account._id, wabaId: account.wabaId, metaId: String(Date.now()), name: `matrix_${_id.toHexString()}`, language: "en_US", category: "UTILITY",
      status, qualityScore: null, rejectedReason: null, parameterFormat: "positional", components: [{ type: "BODY", text: "Hello" }],
      key: `${account.wabaId}:matrix_${_id.toHexString()}:en_US`, syncedAt: now, createdAt: now, updatedAt: now,
    });
    return _id.toHexString();
  };
  return {
    org,
    deactivated,
    conversationId: conversation._id.toHexString(),
    contactId: conversation.contactId.toHexString(),
    messageId: message._id.toHexString(),
    agentId: agent!._id.toHexString(),
    fileId: fileId.toHexString(),
    colleagueId: users.agent2._id.toHexString(),
    webhookEventId: event._id.toHexString(),
    templateId: await freshTemplate("APPROVED"),
    triggerId: (await createTrigger(orgId, { id: users.admin._id, name: users.admin.name }, "admin", { name: "Page check", when: { type: "lifecycle", event: "contact_created" }, steps: [{ kind: "add_tags", tags: ["page"] }] }))._id.toHexString(),
    ticketId: (await createTicket(orgId, { id: users.admin._id, name: users.admin.name }, { subject: "Page check", conversationId: conversation._id.toHexString() }, "agent"))._id.toHexString(),
    campaignId: "",
    freshTemplate,
    freshTrigger: async () => (await createTrigger(orgId, actor, "admin", { name: `t${randomUUID().slice(0, 8)}`, when: { type: "lifecycle", event: "contact_created" }, steps: [{ kind: "add_tags", tags: ["matrix"] }] }))._id.toHexString(),
    freshTicket: async () => (await createTicket(orgId, actor, { subject: "Refund", conversationId: conversation._id.toHexString() }, "agent"))._id.toHexString(),
    freshCannedResponse: async () => (await createCannedResponse(orgId, actor, { shortcut: `s${randomUUID().slice(0, 8)}`, title: "Hi", body: "Hello!" }))._id.toHexString(),
    freshContact: async () => (await createContact(orgId, actor, { phone: `+1415${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}` }))._id.toHexString(),
    freshMerge: async () => {
      const phone = () => `+1415${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
      const [a, b] = [await createContact(orgId, actor, { phone: phone() }), await createContact(orgId, actor, { phone: phone() })];
      return (await mergeContacts(orgId, actor, { survivorId: a._id.toHexString(), mergedId: b._id.toHexString() }))._id.toHexString();
    },
    freshImport: async () => (await createImport(orgId, { ...actor, id: users.admin._id }, { filename: "m.csv", bytes: new TextEncoder().encode("phone\n+14155550100\n") }))._id.toHexString(),
    freshCustomField: async () => (await createCustomField(orgId, actor, { key: `f${randomUUID().slice(0, 8)}`, label: "F", type: "text", options: [], required: false, showInInbox: true }))._id.toHexString(),
    freshList: async () => (await createContactList(orgId, actor, { name: `l${randomUUID().slice(0, 8)}` }))._id.toHexString(),
    freshBulkAction: async () => {
      const started = await startBulkAction(orgId, actor, { action: { kind: "add_tags", tags: ["matrix"] } });
      return "bulkAction" in started ? started.bulkAction._id.toHexString() : new ObjectId().toHexString();
    },
    // A draft on a template still in review: sending it is refused, so nothing reaches Meta.
    freshCampaign: async () => {
      const templateId = new ObjectId();
      const now = new Date();
      await scoped(orgId)("whatsapp_templates").insertOne({
        _id: templateId, accountId: account._id, wabaId: account.wabaId, metaId: "1", name: `t_${templateId.toHexString()}`, language: "en_US", category: "MARKETING", status: "PENDING",
        qualityScore: null, rejectedReason: null, parameterFormat: "positional", components: [{ type: "BODY", text: "Hello" }], key: `${account.wabaId}:t_${templateId.toHexString()}:en_US`, syncedAt: now, createdAt: now, updatedAt: now,
      });
      const c = await createCampaign(orgId, actor, {
        name: "Matrix", audience: { segmentId: null, definition: { match: "all", conditions: [{ field: "tags", op: "has_any", value: ["nobody"] }] } },
        exclusions: { requireOptIn: true, frequencyCapDays: null }, variants: [{ key: "A", templateId: templateId.toHexString(), weight: 100, variables: {} }], controlPercent: 0, winner: null, conversion: null,
      });
      return c._id.toHexString();
    },
    freshWebhookEndpoint: async () => (await createWebhookEndpoint(orgId, actor, { url: "http://127.0.0.1:9/matrix", events: ["ticket.created"], description: "" }))._id.toHexString(),
    freshWebhookDelivery: async () => {
      const endpoint = await createWebhookEndpoint(orgId, actor, { url: "http://127.0.0.1:9/matrix", events: ["ticket.created"], description: "" });
      return { id: endpoint._id.toHexString(), deliveryId: (await sendTestPing(orgId, endpoint))._id.toHexString() };
    },
    freshSegment: async () => (await createSegment(orgId, actor, { name: `s${randomUUID().slice(0, 8)}`, definition: { match: "all", conditions: [] } }))._id.toHexString(),
    freshArticle: async () => (await createArticle(orgId, { title: "Returns", body: "Within 30 days.", active: true }))._id.toHexString(),
    freshFailedRun: async () => {
      const _id = new ObjectId();
      await rawCollection("workflow_executions").insertOne({
        _id, orgId, job: "retention", messageId: `matrix-${_id.toHexString()}`, payload: { orgId: orgId.toHexString() }, status: "failed", attempts: 1,
        error: "boom", durationMs: 1, startedAt: new Date(), completedAt: new Date(), retriedAs: null,
      });
      return _id.toHexString();
    },
  };
}

let fx: Fixtures;
let identities: Identity[];

beforeAll(async () => {
  useOfflineAi();
  // QStash signing keys without a QStash URL: jobs run in process, signed deliveries verify.
  process.env.CRON_SECRET = "matrix-cron-secret-0123456789";
  useQstashEnv({});
  resetEnvCache();
  // Next sets this at build time from next.config.ts's experimental.authInterrupts; forbidden() needs it.
  process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = "true";
  fx = await createFixtures();
  fx.campaignId = await fx.freshCampaign();
  identities = [
    { name: "signed-out", role: null, user: null },
    { name: "deactivated admin", role: null, user: fx.deactivated },
    ...roles.map((role) => ({ name: role, role, user: fx.org.users[role] })),
  ];
});

function urlOf(route: RouteFile, params: Record<string, string | string[]>, query = "") {
  const url = route.pattern.replace(/\[(?:\.\.\.)?(\w+)\]/g, (_m, name: string) => {
    const v = params[name];
    return Array.isArray(v) ? v.join("/") : v!;
  });
  return `${url}${query}`;
}

async function callFor(route: RouteFile, method: HttpMethod): Promise<Call> {
  const params = route.params.length ? await paramsFor[route.pattern]!(fx) : {};
  const key = `${method} ${route.pattern}`;
  if (key in bodyFor) return { params, body: bodyFor[key] };
  return { params, body: method === "GET" || method === "DELETE" || method === "HEAD" ? undefined : {} };
}

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

async function invoke(route: RouteFile, handler: Handler, method: HttpMethod, call: Call, user: UserDoc | null) {
  const req = await request(user, urlOf(route, call.params ?? {}, call.query), { method, body: call.body, rawBody: call.rawBody, headers: call.headers });
  const res = await handler(req, { params: Promise.resolve(call.params ?? {}) });
  const text = await res.text();
  return { status: res.status, text };
}

/** The request a machine caller makes with its credential (QStash signature, cron secret, Meta signature). */
async function credentialCall(route: RouteFile, access: RouteAccess): Promise<Call | null> {
  const params = route.params.length ? await paramsFor[route.pattern]!(fx) : {};
  if (access.kind === "api-key") {
    const { body } = await callFor(route, route.methods.find((m) => "access" in m && m.access === access)!.method);
    return { params, body, headers: { authorization: `Bearer ${await keyWith([access.scope])}`, "idempotency-key": `matrix-${randomUUID()}` } };
  }
  const url = `${process.env.APP_URL}${urlOf(route, params)}`;
  if (access.kind === "qstash") {
    const rawBody = "{}";
    return { params, rawBody, headers: { "content-type": "application/json", "upstash-message-id": `msg_${randomUUID()}`, "upstash-signature": signQstashJwt({ key: QSTASH_KEYS.currentSigningKey, url, body: rawBody }) } };
  }
  if (access.kind === "cron") return { params, headers: { authorization: `Bearer ${process.env.CRON_SECRET}` } };
  if (access.kind === "whatsapp-signature") {
    const rawBody = JSON.stringify(envelope(fx.org.account, { statuses: [] }));
    return { params, rawBody, headers: { "content-type": "application/json", "x-hub-signature-256": signWhatsAppBody(rawBody, APP_SECRET) } };
  }
  return null;
}

/** A fresh API key of the fixture organization holding exactly these scopes. */
async function keyWith(scopes: ApiScope[]): Promise<string> {
  const admin = fx.org.users.admin;
  return (await createApiKey(fx.org.orgId, { id: admin._id, name: admin.name }, { name: `matrix ${scopes.join(" ")}`, scopes })).secret;
}

/** Scopes that must not pass for `scope`: every other resource at admin level, and the lower levels of its own resource. */
function insufficientScopes(scope: ApiScope): ApiScope[] {
  const [resource, level] = scope.split(":") as [(typeof apiResources)[number], (typeof apiLevels)[number]];
  const others = apiResources.filter((r) => r !== resource).map((r) => `${r}:admin` as ApiScope);
  const lower = apiLevels.slice(0, apiLevels.indexOf(level)).map((l) => `${resource}:${l}` as ApiScope);
  return [...others, ...lower];
}

const unauthorized = { error: { code: "unauthorized", message: "Sign in to continue" } };
const noApiKey = { error: { code: "unauthorized", message: "Send the API key as Authorization: Bearer <key>" } };
const forbidden = { error: { code: "forbidden", message: "Your role does not allow this action" } };

describe("API routes: declarations", () => {
  it("finds the routes on disk", () => {
    expect(routes.length).toBeGreaterThan(30);
  });

  it.each(routes.map((r) => [r.file, r] as const))("%s declares the access of every method it exports", async (file, route) => {
    expect(route.problems, file).toEqual([]);
    const undeclared = route.methods.flatMap((m) => {
      if ("problem" in m) return [`${m.method}: ${m.problem}`];
      if (m.access.kind === "function" && !exempt[`${file} ${m.method}`]) return [`${m.method}: a plain function; wrap it (withOrg, withPublic, ...) or list it in exempt with a reason`];
      return [];
    });
    expect(undeclared, file).toEqual([]);
    const mod = (await import(path.join(ROOT, file))) as Record<string, unknown>;
    const exportedMethods = HTTP_METHODS.filter((m) => typeof mod[m] === "function");
    expect(exportedMethods, `${file}: methods exported at runtime vs declared in the source`).toEqual(HTTP_METHODS.filter((m) => route.methods.some((d) => d.method === m)));
    if (route.params.length) expect(paramsFor[route.pattern], `${file}: add its fixture ids to paramsFor`).toBeTypeOf("function");
  });

  it("no state-changing method is granted by a read-only permission", () => {
    const offenders = routes.flatMap((r) =>
      r.methods.flatMap((m) =>
        "access" in m && m.access.kind === "permission" && m.method !== "GET" && m.method !== "HEAD" && readOnlyPermissions.includes(m.access.permission)
          ? [`${m.method} ${r.pattern} (${m.access.permission})`]
          : [],
      ),
    );
    expect(offenders).toEqual([]);
  });

  it("every public API route (/api/v1) declares its API-key scope, and only those routes take API keys", () => {
    const wrong = routes.flatMap((r) =>
      r.methods.flatMap((m) => {
        if (!("access" in m)) return [];
        const v1 = r.pattern.startsWith("/api/v1/");
        // The OpenAPI document is the public API's one public route: it describes, it serves no data.
        if (r.pattern === "/api/v1/openapi.json") return m.access.kind === "public" ? [] : [`${m.method} ${r.pattern}: must be public`];
        if (v1 !== (m.access.kind === "api-key")) return [`${m.method} ${r.pattern}: ${m.access.kind}`];
        return [];
      }),
    );
    expect(wrong).toEqual([]);
    expect(routes.some((r) => r.pattern.startsWith("/api/v1/"))).toBe(true);
  });

  it("no state-changing public API method is granted by a read scope", () => {
    const offenders = routes.flatMap((r) =>
      r.methods.flatMap((m) => ("access" in m && m.access.kind === "api-key" && m.method !== "GET" && m.method !== "HEAD" && m.access.scope.endsWith(":read") ? [`${m.method} ${r.pattern}`] : [])),
    );
    expect(offenders).toEqual([]);
  });

  it("only next-auth's own route is handled by next-auth", () => {
    const nextAuth = routes.filter((r) => r.methods.some((m) => "access" in m && m.access.kind === "next-auth"));
    expect(nextAuth.map((r) => [r.file, r.methods.map((m) => m.method)])).toEqual([["app/api/auth/[...nextauth]/route.ts", ["GET", "POST"]]]);
  });

  it("every exemption still names an exported plain function", () => {
    for (const key of Object.keys(exempt)) {
      const [file, method] = key.split(" ");
      const route = routes.find((r) => r.file === file);
      expect(route?.methods.find((m) => m.method === method && "access" in m && m.access.kind === "function"), key).toBeDefined();
    }
  });
});

describe("API routes: every identity gets what the declaration says", () => {
  // next-auth's handler needs Next's request scope, so its route is only recognised (see the header).
  const rows = routes.flatMap((route) => route.methods.flatMap((m) => ("access" in m && m.access.kind !== "next-auth" ? [{ route, method: m.method, access: m.access }] : [])));

  it.each(rows.map((r) => [`${r.method} ${r.route.pattern}`, r] as const))("%s", async (_name, { route, method, access }) => {
    const mod = (await import(path.join(ROOT, route.file))) as Record<string, Handler>;
    const handler = mod[method]!;
    for (const id of identities) {
      const res = await invoke(route, handler, method, await callFor(route, method), id.user);
      const where = `${method} ${route.pattern} as ${id.name}: ${res.status} ${res.text.slice(0, 200)}`;
      if (access.kind === "function") {
        expect(res.status, where).toBe(exempt[`${route.file} ${method}`]!.anyone);
      } else if (access.kind === "public") {
        expect(res.status, where).not.toBeOneOf([401, 403]);
        expect(res.status, where).toBeLessThan(500);
      } else if (access.kind === "qstash" || access.kind === "cron" || access.kind === "whatsapp-signature") {
        expect(res.status, where).toBe(401);
      } else if (access.kind === "api-key") {
        // A session is not an API key, whoever holds it.
        expect({ status: res.status, body: JSON.parse(res.text) }, where).toEqual({ status: 401, body: noApiKey });
      } else if (!id.role) {
        expect({ status: res.status, body: JSON.parse(res.text) }, where).toEqual({ status: 401, body: unauthorized });
      } else if (access.kind === "permission" && !can(id.role, access.permission)) {
        expect({ status: res.status, body: JSON.parse(res.text) }, where).toEqual({ status: 403, body: forbidden });
      } else {
        expect(res.status, where).not.toBeOneOf([401, 403]);
        expect(res.status, where).toBeLessThan(500);
      }
    }
    const credential = access.kind === "function" ? exempt[`${route.file} ${method}`]!.credential : null;
    if (credential) {
      const res = await handler(await credential(), { params: Promise.resolve({}) });
      expect(res.status, `${method} ${route.pattern} with its credential`).toBe(exempt[`${route.file} ${method}`]!.credentialStatus);
    }
    if (access.kind === "api-key") {
      for (const scope of insufficientScopes(access.scope)) {
        const call = await callFor(route, method);
        const res = await invoke(route, handler, method, { ...call, headers: { authorization: `Bearer ${await keyWith([scope])}` } }, null);
        expect({ status: res.status, body: JSON.parse(res.text) }, `${method} ${route.pattern} with ${scope}`).toEqual({
          status: 403,
          body: { error: { code: "forbidden", message: `This API key lacks the ${access.scope} scope` } },
        });
      }
    }
    const machine = await credentialCall(route, access);
    if (machine) {
      const res = await invoke(route, handler, method, machine, null);
      expect(res.status, `${method} ${route.pattern} with its credential: ${res.text.slice(0, 200)}`).not.toBeOneOf([401, 403]);
      expect(res.status, `${method} ${route.pattern} with its credential: ${res.text.slice(0, 200)}`).toBeLessThan(500);
    }
  });
});

type PageOutcome = "rendered" | "sign-in" | "forbidden" | "not-found" | "redirect";

/** Runs a page or layout's default export as Next would, and names what it did. */
async function runServerComponent(file: string, user: UserDoc | null): Promise<PageOutcome> {
  pageSession = user ? { user: { id: user._id.toHexString(), orgId: user.orgId.toHexString() } } : null;
  const mod = (await import(path.join(ROOT, file))) as { default: (props: Record<string, unknown>) => unknown };
  const params = Promise.resolve(
    file.includes("contacts/[id]") ? { id: fx.contactId } : file.includes("templates/[id]") ? { id: fx.templateId } : file.includes("campaigns/[id]") ? { id: fx.campaignId } : file.includes("tickets/[id]") ? { id: fx.ticketId } : file.includes("automations/[id]") ? { id: fx.triggerId } : file.includes("[id]") ? { id: fx.conversationId } : {},
  );
  try {
    await mod.default({ params, searchParams: Promise.resolve({}), children: null });
    return "rendered";
  } catch (err) {
    const digest = String((err as { digest?: unknown }).digest ?? "");
    if (digest.startsWith("NEXT_REDIRECT;") && digest.includes(";/sign-in;")) return "sign-in";
    if (digest.startsWith("NEXT_REDIRECT;")) return "redirect";
    if (digest === "NEXT_HTTP_ERROR_FALLBACK;403") return "forbidden";
    if (digest === "NEXT_HTTP_ERROR_FALLBACK;404") return "not-found";
    throw err;
  }
}

/** The permissions a page's own check and its layouts' checks require together. */
function requiredFor(page: string): { signedIn: boolean; permissions: Permission[] } {
  const calls = [...layoutsOf(page), page].flatMap((f) => scanPageChecks(f).calls);
  return { signedIn: calls.length > 0, permissions: [...new Set(calls.filter((c): c is Permission => c !== null))] };
}

describe("pages: declarations", () => {
  it("finds the pages on disk", () => {
    expect(pages.length).toBeGreaterThan(10);
  });

  it.each(pages)("%s declares who may open it", (page) => {
    const own = scanPageChecks(page);
    expect(own.problems, page).toEqual([]);
    for (const layout of layoutsOf(page)) expect(scanPageChecks(layout).problems, layout).toEqual([]);
    if (!page.startsWith("app/(app)/")) {
      expect(publicPages[page], `${page} is outside app/(app): list it in publicPages with a reason, or move it`).toBeTypeOf("string");
      expect(own.calls, `${page} is listed as public`).toEqual([]);
      return;
    }
    if (redirectPages[page]) {
      expect(own.calls, `${page} is listed as a redirect`).toEqual([]);
      return;
    }
    if (staticPages[page]) {
      expect(requiredFor(page).permissions.length, `${page} relies on its layouts, which must name a permission`).toBeGreaterThan(0);
      return;
    }
    if (signedInPages[page]) {
      expect(own.calls, `${page} is listed as open to every signed-in user: it must call requirePageUser()`).toEqual([null]);
      return;
    }
    expect(own.calls.filter((c) => c !== null).length, `${page} must call requirePageUser(permission) itself`).toBeGreaterThan(0);
  });

  it("the navigation shows each role exactly the pages it may open", () => {
    for (const item of [...navItems, ...settingsGroups.flatMap((g) => g.items)]) {
      const page = item.href === "/" ? "app/(app)/page.tsx" : `app/(app)${item.href}/page.tsx`;
      expect(pages, item.href).toContain(page);
      const required = requiredFor(page).permissions;
      for (const role of roles) {
        expect(!item.permission || can(role, item.permission), `${item.href} for ${role}`).toBe(required.every((p) => can(role, p)));
      }
    }
    // Settings shows for a role exactly when one of its pages would open.
    for (const role of roles) {
      const any = settingsGroups.some((g) => g.items.some((i) => !i.permission || can(role, i.permission)));
      expect(navFor(role).some((i) => i.href === "/settings"), `Settings for ${role}`).toBe(any);
    }
  });
});

describe("pages: every identity gets what the declaration says", () => {
  const files = [...checkingLayouts, ...pages];
  it.each(files)("%s", async (file) => {
    const own = scanPageChecks(file);
    const permissions = own.calls.filter((c): c is Permission => c !== null);
    const outcomes: Record<string, PageOutcome> = {};
    for (const id of identities) outcomes[id.name] = await runServerComponent(file, id.user);
    const expected: Record<string, PageOutcome> = {};
    for (const id of identities) {
      if (own.calls.length === 0) expected[id.name] = outcomes["admin"]!;
      else if (!id.role) expected[id.name] = "sign-in";
      else expected[id.name] = permissions.every((p) => can(id.role!, p)) ? "rendered" : "forbidden";
    }
    expect(outcomes).toEqual(expected);
    // A page without its own check must not behave as if it had one (public or static: same for everyone).
    if (own.calls.length === 0) expect(Object.values(outcomes).filter((o) => o === "sign-in" || o === "forbidden")).toEqual([]);
  });
});
