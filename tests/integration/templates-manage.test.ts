import { ObjectId } from "mongodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DELETE as deleteRoute, GET as getRoute, PATCH as patchRoute } from "@/app/api/templates/[id]/route";
import { POST as lintRoute } from "@/app/api/templates/lint/route";
import { POST as createRoute } from "@/app/api/templates/route";
import { POST as webhookRoute } from "@/app/api/webhooks/whatsapp/route";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { PermanentJobError } from "@/lib/jobs/define-job";
import type { TemplateDetailResponse, TemplateDraft } from "@/lib/schemas/template";
import { checkTemplateCategory } from "@/lib/templates/category-check";
import { utcMinute } from "@/lib/templates/edit-limits";
import { templatesReconcileJob } from "@/lib/templates/reconcile-job";
import { createOrg, request, routeParams } from "../support/factories";
import { useOfflineAi } from "../support/fake-gemini-env";
import { insertSimAccount, pointEnvAtSimulator, SIM, startSimulator } from "../support/graph-sim";
import { startRouteServer } from "../support/route-server";

/**
 * The template builder's API against the Graph API simulator, whose review webhooks go to the
 * app's real webhook route: submit -> PENDING -> APPROVED or REJECTED by webhook; edits and their
 * limits; deletion and the 30-day name block; who may do it; one organization never reaches another's.
 */
let app: Awaited<ReturnType<typeof startRouteServer>>;
let sim: Awaited<ReturnType<typeof startSimulator>>;
let org: Awaited<ReturnType<typeof createOrg>>;
let other: Awaited<ReturnType<typeof createOrg>>;

beforeAll(async () => {
  useOfflineAi();
  app = await startRouteServer([{ pattern: "/api/webhooks/whatsapp", handlers: { POST: webhookRoute } }]);
  sim = await startSimulator(`${app.url}/api/webhooks/whatsapp`, 5);
  await pointEnvAtSimulator(sim);
  org = await createOrg();
  await insertSimAccount(org.orgId);
  other = await createOrg("Other Org");
});

afterAll(async () => {
  await sim.stop();
  await app.stop();
});

beforeEach(() => {
  // Long enough that the app stores PENDING before the review webhook arrives, short enough to wait for.
  sim.sim.configure({ templateReviewMs: 200, templateReview: "approve" });
});

type User = Parameters<typeof request>[0];
let seq = 0;
const uniqueName = (base: string) => `${base}_${Date.now().toString(36)}_${seq++}`;

const orderUpdate = (name: string, over: Partial<TemplateDraft> = {}): TemplateDraft => ({
  name,
  language: "en_US",
  category: "UTILITY",
  parameterFormat: "positional",
  components: [
    { type: "BODY", text: "Hi {{1}}, your order {{2}} has shipped.", example: { body_text: [["Maria", "#1042"]] } },
    { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Track order" }] },
  ],
  ...over,
});

const create = async (user: User, body: unknown) => createRoute(await request(user, "/api/templates", { method: "POST", body }), routeParams({}));
const lint = async (user: User, body: unknown) => lintRoute(await request(user, "/api/templates/lint", { method: "POST", body }), routeParams({}));
const get = async (user: User, id: string) => getRoute(await request(user, `/api/templates/${id}`), routeParams({ id }));
const patch = async (user: User, id: string, body: unknown) => patchRoute(await request(user, `/api/templates/${id}`, { method: "PATCH", body }), routeParams({ id }));
const remove = async (user: User, id: string) => deleteRoute(await request(user, `/api/templates/${id}`, { method: "DELETE" }), routeParams({ id }));

async function created(name: string, over: Partial<TemplateDraft> = {}): Promise<TemplateDetailResponse> {
  const res = await create(org.users.marketer, orderUpdate(name, over));
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()).template;
}

const stored = (id: string) => scoped(org.orgId)("whatsapp_templates").findOne({ _id: new ObjectId(id) });
async function untilStatus(id: string, status: string) {
  await expect.poll(async () => (await stored(id))?.status, { timeout: 10_000, interval: 20 }).toBe(status);
  return (await stored(id))!;
}
const editBody = (text: string) => ({
  category: "UTILITY",
  components: [{ type: "BODY", text, example: { body_text: [["Maria", "#1042"]] } }],
});

describe("submitting a template", () => {
  it("lints, submits to Meta, stores it PENDING and turns APPROVED by Meta's webhook", async () => {
    const name = uniqueName("order_update");
    const t = await created(name);
    expect(t).toMatchObject({ name, language: "en_US", category: "UTILITY", status: "PENDING", parameterFormat: "positional", edits: null, editable: false, deletable: true });
    // The builder gets its samples back; the stored components are Meta's without them.
    expect(t.components[0]).toEqual({ type: "BODY", text: "Hi {{1}}, your order {{2}} has shipped.", example: { body_text: [["Maria", "#1042"]] } });
    const doc = await stored(t.id);
    expect(doc).toMatchObject({
      key: `${SIM.wabaId}:${name}:en_US`,
      wabaId: SIM.wabaId,
      metaId: expect.stringMatching(/^\d+$/),
      examples: { "body:1": "Maria", "body:2": "#1042" },
      submittedBy: org.users.marketer._id,
      components: [{ type: "BODY", text: "Hi {{1}}, your order {{2}} has shipped." }, { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Track order" }] }],
    });
    const activity = await scoped(org.orgId)("activity_logs").findOne({ entityId: doc!._id, action: "template.submitted" });
    expect(activity).toMatchObject({ actorId: org.users.marketer._id, after: { name, status: "PENDING" } });

    const approved = await untilStatus(t.id, "APPROVED");
    expect(approved).toMatchObject({ metaId: doc!.metaId, rejectedReason: null, examples: { "body:1": "Maria" } });
    const detail = (await (await get(org.users.marketer, t.id)).json()).template;
    expect(detail).toMatchObject({ status: "APPROVED", edits: { used: 0, limit: 10, nextEditAt: null }, editable: true });
  });

  it("shows Meta's rejection reason when the review rejects it", async () => {
    sim.sim.configure({ templateReview: "reject", templateRejectionReason: "TAG_CONTENT_MISMATCH" });
    const t = await created(uniqueName("rejected_one"));
    const doc = await untilStatus(t.id, "REJECTED");
    expect(doc.rejectedReason).toBe("TAG_CONTENT_MISMATCH: Your template doesn't follow WhatsApp's formatting rules.");
    expect((await (await get(org.users.admin, t.id)).json()).template).toMatchObject({ status: "REJECTED", edits: null, editable: true });
  });

  it("follows pauses, disables and quality changes posted by the simulator", async () => {
    const t = await created(uniqueName("paused_one"));
    await untilStatus(t.id, "APPROVED");
    const name = t.name;
    const post = (path: string, body: unknown) => fetch(`${sim.url}/_sim/templates/${name}/${path}`, { method: "POST", body: JSON.stringify(body) });
    expect((await post("quality", { score: "RED" })).status).toBe(200);
    expect(await stored(t.id)).toMatchObject({ qualityScore: "RED" });
    expect((await post("status", { event: "PAUSED", reason: "SECOND_PAUSE" })).status).toBe(200);
    expect(await stored(t.id)).toMatchObject({ status: "PAUSED", rejectedReason: null });
    const envelope = sim.sim.deliveries.at(-1)!.body as { entry: { changes: { field: string; value: Record<string, unknown> }[] }[] };
    expect(envelope.entry[0]!.changes[0]).toMatchObject({ field: "message_template_status_update", value: { event: "PAUSED", reason: null, other_info: { title: "SECOND_PAUSE" } } });
    expect((await post("status", { event: "DISABLED" })).status).toBe(200);
    expect(await stored(t.id)).toMatchObject({ status: "DISABLED" });
    const res = await remove(org.users.marketer, t.id);
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 409, body: { error: { code: "conflict", message: "Meta does not allow deleting a disabled template" } } });
  });

  const refusals: { name: string; body: () => unknown; status: number; message: string }[] = [
    {
      name: "a draft the linter refuses, every problem named",
      body: () => orderUpdate(uniqueName("bad"), { components: [{ type: "BODY", text: "Your code is {{1}}" }] }),
      status: 422,
      message: "The template cannot be submitted: The body cannot end with a variable: end with words or punctuation; Give an example for {{1}} in the body",
    },
    {
      name: "a name that is not Meta's shape",
      body: () => orderUpdate("Order Update"),
      status: 422,
      message: "name: use lowercase letters, digits and underscores (at most 512)",
    },
    {
      name: "a template Meta already has (not synced here yet)",
      body: () => orderUpdate("hello_world"),
      status: 422,
      message: "Meta refused to accept the template: (#100) Invalid parameter (Content in this language already exists for template hello_world.)",
    },
  ];
  it.each(refusals)("refuses $name", async ({ body, status, message }) => {
    const res = await create(org.users.admin, body());
    expect({ status: res.status, body: await res.json() }).toEqual({ status, body: { error: { code: "unprocessable_entity", message } } });
  });

  it("refuses a name that exists in this language", async () => {
    const t = await created(uniqueName("twice"));
    const res = await create(org.users.admin, orderUpdate(t.name));
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 409,
      body: { error: { code: "conflict", message: `A template named ${t.name} in en_US already exists (pending); edit it instead` } },
    });
  });
});

describe("the linter endpoint", () => {
  it("lists the problems and the AI's category warning without storing or submitting anything", async () => {
    const before = await scoped(org.orgId)("whatsapp_templates").countDocuments();
    const res = await lint(org.users.marketer, {
      ...orderUpdate("Spring Promo"),
      components: [{ type: "BODY", text: "Hi {{1}}, enjoy 20% off everything this weekend, a limited time offer!", example: { body_text: [["Maria"]] } }],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      problems: [{ path: "name", message: 'The name may only use lowercase letters, digits and underscores ("Spring Promo" has others)' }],
      warning:
        'This may be approved as MARKETING, not UTILITY (Meta re-categorises promotional utility templates, and marketing prices apply). [offline AI] The text uses promotional wording ("20% off", "offer", "limited time"), which Meta treats as marketing.',
      ai: { checked: true, provider: "offline" },
    });
    expect(await scoped(org.orgId)("whatsapp_templates").countDocuments()).toBe(before);
  });
});

describe("the AI category check (offline provider)", () => {
  const check = (text: string, category: TemplateDraft["category"] = "UTILITY") =>
    checkTemplateCategory(org.orgId, orderUpdate("x", { category, components: [{ type: "BODY", text, example: { body_text: [["Maria"]] } }] }));

  it("warns when a utility template reads as marketing, with the model's reason", async () => {
    expect(await check("Hi {{1}}, our big sale starts today: buy now and get free shipping!")).toEqual({
      checked: true,
      provider: "offline",
      warning:
        'This may be approved as MARKETING, not UTILITY (Meta re-categorises promotional utility templates, and marketing prices apply). [offline AI] The text uses promotional wording ("sale", "buy now", "free shipping"), which Meta treats as marketing.',
    });
    const run = await scoped(org.orgId)("ai_runs").findOne({ agentType: "content" }, { sort: { createdAt: -1 } });
    expect(run).toMatchObject({ provider: "offline", outcome: "analysed", reason: "template category check" });
  });

  it("stays quiet for a transactional text, and does not check other categories", async () => {
    expect(await check("Hi {{1}}, your order has shipped and arrives Friday.")).toEqual({ checked: true, provider: "offline", warning: null });
    expect(await check("Hi {{1}}, 20% off today!", "MARKETING")).toEqual({ checked: false, provider: null, warning: null });
  });
});

describe("editing", () => {
  it("sends an approved template back to review and counts the edit; one per 24 hours", async () => {
    const t = await created(uniqueName("edited"));
    await untilStatus(t.id, "APPROVED");
    const res = await patch(org.users.marketer, t.id, editBody("Hello {{1}}, order {{2}} is on its way."));
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await res.json()).template).toMatchObject({ status: "PENDING", edits: null, editable: false });
    const doc = await untilStatus(t.id, "APPROVED");
    expect(doc.edits).toHaveLength(1);
    expect(doc.components).toEqual([{ type: "BODY", text: "Hello {{1}}, order {{2}} is on its way." }]);
    const detail = (await (await get(org.users.marketer, t.id)).json()).template as TemplateDetailResponse;
    expect(detail.edits).toEqual({ used: 1, limit: 10, nextEditAt: new Date(doc.edits![0]!.getTime() + 86_400_000).toISOString() });
    expect(detail.editable).toBe(false);

    const again = await patch(org.users.marketer, t.id, editBody("Hi {{1}}, order {{2}} left the warehouse."));
    expect({ status: again.status, body: await again.json() }).toEqual({
      status: 409,
      body: { error: { code: "conflict", message: `Meta allows one edit of an approved template per 24 hours; this one can be edited again from ${utcMinute(new Date(doc.edits![0]!.getTime() + 86_400_000))}.` } },
    });
  });

  it("refuses an 11th edit within 30 days", async () => {
    const t = await created(uniqueName("busy"));
    await untilStatus(t.id, "APPROVED");
    const day = 86_400_000;
    const edits = Array.from({ length: 10 }, (_, i) => new Date(Date.now() - (28 - i * 2) * day - 60_000));
    await scoped(org.orgId)("whatsapp_templates").updateOne({ _id: new ObjectId(t.id) }, { $set: { edits } });
    const res = await patch(org.users.marketer, t.id, editBody("Hi {{1}}, order {{2}} is coming."));
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 409,
      body: { error: { code: "conflict", message: `This approved template was edited 10 times in the last 30 days; Meta allows 10. It can be edited again from ${utcMinute(new Date(edits[0]!.getTime() + 30 * day))}.` } },
    });
    expect((await (await get(org.users.marketer, t.id)).json()).template.edits).toMatchObject({ used: 10, limit: 10 });
  });

  it("keeps an approved template's category, refuses pending ones, and lets rejected ones be edited without counting", async () => {
    const t = await created(uniqueName("fixed_category"));
    const pending = await patch(org.users.marketer, t.id, editBody("Hi {{1}}, order {{2}} is coming."));
    expect({ status: pending.status, body: await pending.json() }).toEqual({
      status: 409,
      body: { error: { code: "conflict", message: "Only approved, rejected or paused templates can be edited; this one is pending" } },
    });
    await untilStatus(t.id, "APPROVED");
    const recategorised = await patch(org.users.marketer, t.id, { ...editBody("Hi {{1}}, order {{2}} is coming."), category: "MARKETING" });
    expect({ status: recategorised.status, body: await recategorised.json() }).toEqual({
      status: 422,
      body: { error: { code: "unprocessable_entity", message: "The category of an approved template cannot change (it is utility); create a new template instead" } },
    });

    sim.sim.configure({ templateReview: "reject" });
    const r = await created(uniqueName("fix_me"));
    await untilStatus(r.id, "REJECTED");
    sim.sim.configure({ templateReview: "approve" });
    const fixed = await patch(org.users.marketer, r.id, { ...editBody("Hi {{1}}, order {{2}} is coming."), category: "MARKETING" });
    expect(fixed.status).toBe(200);
    const doc = await untilStatus(r.id, "APPROVED");
    expect(doc).toMatchObject({ category: "MARKETING", rejectedReason: null, edits: [] });

    const linted = await patch(org.users.marketer, r.id, { category: "MARKETING", components: [{ type: "BODY", text: "{{1}}" }] });
    expect((await linted.json()).error.message).toBe(
      "The template cannot be submitted: The body cannot start with a variable: begin with words; The body cannot end with a variable: end with words or punctuation; Give an example for {{1}} in the body",
    );
  });
});

describe("deleting", () => {
  it("deletes at Meta, marks it DELETED and blocks an approved name for 30 days", async () => {
    const t = await created(uniqueName("goodbye"));
    await untilStatus(t.id, "APPROVED");
    const res = await remove(org.users.marketer, t.id);
    expect(res.status).toBe(200);
    const body = (await res.json()).template as TemplateDetailResponse;
    expect(body).toMatchObject({ status: "DELETED", deletable: false, editable: false });
    const doc = (await stored(t.id))!;
    expect(doc.nameBlockedUntil!.getTime() - doc.deletedAt!.getTime()).toBe(30 * 86_400_000);
    const listed = (await (await fetch(`${sim.url}/v23.0/${SIM.wabaId}/message_templates?name=${t.name}`, { headers: { authorization: `Bearer ${SIM.accessToken}` } })).json()) as { data: unknown[] };
    expect(listed.data).toEqual([]);

    const again = await create(org.users.marketer, orderUpdate(t.name, { language: "es" }));
    expect({ status: again.status, body: await again.json() }).toEqual({
      status: 409,
      body: {
        error: {
          code: "conflict",
          message: `The name ${t.name} belonged to an approved template deleted on ${utcMinute(doc.deletedAt!)}; Meta does not allow it again until ${utcMinute(doc.nameBlockedUntil!)}. Choose another name.`,
        },
      },
    });
    const twice = await remove(org.users.marketer, t.id);
    expect((await twice.json()).error).toEqual({ code: "conflict", message: "This template is already deleted" });
  });

  it("lets a deleted rejected template's name be used again, on the same document", async () => {
    sim.sim.configure({ templateReview: "reject" });
    const t = await created(uniqueName("retry_name"));
    await untilStatus(t.id, "REJECTED");
    expect((await remove(org.users.marketer, t.id)).status).toBe(200);
    sim.sim.configure({ templateReview: "approve" });
    const again = await created(t.name);
    expect(again.id).toBe(t.id);
    const doc = await untilStatus(t.id, "APPROVED");
    expect(doc).toMatchObject({ deletedAt: null, nameBlockedUntil: null, rejectedReason: null });
  });
});

describe("access", () => {
  let id: string;
  beforeAll(async () => {
    id = (await created(uniqueName("guarded"))).id;
  });

  const forbidden = { error: { code: "forbidden", message: "Your role does not allow this action" } };
  const calls: [string, (u: User) => Promise<Response>][] = [
    ["POST /api/templates", (u) => create(u, orderUpdate("agent_try"))],
    ["POST /api/templates/lint", (u) => lint(u, orderUpdate("agent_try"))],
    ["GET /api/templates/[id]", (u) => get(u, id)],
    ["PATCH /api/templates/[id]", (u) => patch(u, id, editBody("Hi {{1}}, order {{2}} shipped."))],
    ["DELETE /api/templates/[id]", (u) => remove(u, id)],
  ];
  it.each(calls)("%s is refused to an agent and a supervisor", async (_name, call) => {
    for (const user of [org.users.agent, org.users.supervisor]) {
      const res = await call(user);
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 403, body: forbidden });
    }
  });

  it.each(calls.slice(2))("%s on another organization's template is not found", async (_name, call) => {
    const res = await call(other.users.admin);
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 404, body: { error: { code: "not_found", message: "Template not found" } } });
    expect(await stored(id)).toMatchObject({ status: expect.stringMatching(/PENDING|APPROVED/) });
  });
});

describe("the reconciliation job", () => {
  it("pulls Meta's list into the database, and gives up on an account that is gone", async () => {
    const account = (await scoped(org.orgId)("whatsapp_accounts").findOne({}))!;
    const ctx = { messageId: "m1", attempt: 1, enqueue: (async () => undefined) as never };
    const result = await templatesReconcileJob.handle({ orgId: org.orgId.toHexString(), accountId: account._id.toHexString() }, ctx);
    expect(result).toMatchObject({ accountId: account._id.toHexString(), total: expect.any(Number) });
    expect(await scoped(org.orgId)("whatsapp_templates").findOne({ name: "hello_world" })).toMatchObject({ status: "APPROVED" });
    await expect(templatesReconcileJob.handle({ orgId: org.orgId.toHexString(), accountId: new ObjectId().toHexString() }, ctx)).rejects.toBeInstanceOf(PermanentJobError);
    expect(await rawCollection("whatsapp_templates").countDocuments({ orgId: other.orgId, name: "hello_world" })).toBe(0);
  });

  it("the hourly schedule's empty payload enqueues one run per account", async () => {
    const enqueued: { job: string; payload: { orgId: string; accountId: string } }[] = [];
    const enqueue = (async (job: string, payload: { orgId: string; accountId: string }) => {
      enqueued.push({ job, payload });
      return { messageId: "x", deduplicated: false };
    }) as never;
    const result = await templatesReconcileJob.handle({}, { messageId: "m2", attempt: 1, enqueue });
    const account = (await scoped(org.orgId)("whatsapp_accounts").findOne({}))!;
    expect(enqueued).toContainEqual({ job: "templates-reconcile", payload: { orgId: org.orgId.toHexString(), accountId: account._id.toHexString() } });
    expect(result).toEqual({ accounts: enqueued.length });
  });
});
