import { ObjectId } from "mongodb";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as cancelRoute } from "@/app/api/campaigns/[id]/cancel/route";
import { GET as exportRoute } from "@/app/api/campaigns/[id]/export/route";
import { GET as planRoute } from "@/app/api/campaigns/[id]/plan/route";
import { GET as recipientsRoute } from "@/app/api/campaigns/[id]/recipients/route";
import { GET as timelineRoute } from "@/app/api/campaigns/[id]/timeline/route";
import { POST as retargetRoute } from "@/app/api/campaigns/[id]/retarget/route";
import { GET as getRoute, PUT as putRoute } from "@/app/api/campaigns/[id]/route";
import { POST as scheduleRoute } from "@/app/api/campaigns/[id]/schedule/route";
import { POST as sendRoute } from "@/app/api/campaigns/[id]/send/route";
import { POST as testRoute } from "@/app/api/campaigns/[id]/test/route";
import { GET as listRoute, POST as createRoute } from "@/app/api/campaigns/route";
import { GET as clickRoute } from "@/app/r/[token]/route";
import { PATCH as accountRoute } from "@/app/api/whatsapp-accounts/[id]/route";
import { POST as webhookRoute } from "@/app/api/webhooks/whatsapp/route";
import { getCampaign } from "@/lib/campaigns/campaigns";
import { recordGoalReached } from "@/lib/campaigns/outcomes";
import { moveJourneyStage } from "@/lib/journey/journey";
import { campaignsTickJob } from "@/lib/campaigns/tick-job";
import { campaignWinnerJob } from "@/lib/campaigns/winner-job";
import { scoped } from "@/lib/db/scoped";
import { enqueue } from "@/lib/jobs/enqueue";
import type { CampaignDoc, CampaignInput } from "@/lib/schemas/campaign";
import { managementEnvelope, sign as signWith } from "../fakes/graph-simulator/envelopes";
import { campaignContacts, syncedTemplates, welcomeOfferInput } from "../support/campaign-fixtures";
import { createOrg, request, routeParams } from "../support/factories";
import { insertSimAccount, pointEnvAtSimulator, SIM, startSimulator } from "../support/graph-sim";
import { startRouteServer } from "../support/route-server";

vi.hoisted(() => {
  process.env.CAMPAIGN_IN_DOUBT_AFTER_MS = "400";
});

let app: Awaited<ReturnType<typeof startRouteServer>>;
let sim: Awaited<ReturnType<typeof startSimulator>>;
let org: Awaited<ReturnType<typeof createOrg>>;
let other: Awaited<ReturnType<typeof createOrg>>;
let account: Awaited<ReturnType<typeof insertSimAccount>>;
let templates: Awaited<ReturnType<typeof syncedTemplates>>;
let n = 0;

beforeAll(async () => {
  app = await startRouteServer([
    { pattern: "/api/webhooks/whatsapp", handlers: { POST: webhookRoute } },
    { pattern: "/r/:token", handlers: { GET: clickRoute } },
  ]);
  sim = await startSimulator(`${app.url}/api/webhooks/whatsapp`, 5);
  await pointEnvAtSimulator(sim);
  org = await createOrg("Campaign org");
  other = await createOrg("Other org");
  account = await insertSimAccount(org.orgId);
  templates = await syncedTemplates(org.orgId, account._id);
  // Customers' replies here must not start the AI agent (its reply would take a send the test armed an error for).
  await scoped(org.orgId)("settings").updateOne({}, { $set: { aiEnabled: false } });
});

afterAll(async () => {
  await sim.stop();
  await app.stop();
});

beforeEach(() => {
  sim.sim.configure({ statusDelayMs: 5, autoRead: true });
});

type User = (typeof org)["users"]["admin"];
const db = () => scoped(org.orgId);

async function call(handler: (req: never, ctx: never) => Promise<Response>, user: User, url: string, opts: { method?: string; body?: unknown; params?: Record<string, string> } = {}) {
  const res = await handler((await request(user, url, { method: opts.method, body: opts.body })) as never, routeParams(opts.params ?? {}) as never);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // CSV
  }
  // The tests read nested response fields freely; the routes' own types are checked by the compiler.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: body as Record<string, any>, text, headers: res.headers };
}

async function audienceTag(count: number, extra: Parameters<typeof campaignContacts>[2] = () => ({})) {
  const tag = `t${new ObjectId().toHexString().slice(-8)}`;
  const docs = await campaignContacts(org.orgId, count, (i) => ({ tags: [tag], ...extra(i) }), 1000 * ++n);
  return { tag, docs };
}

const onTag = (tag: string) => ({ segmentId: null, definition: { match: "all" as const, conditions: [{ field: "tags", op: "has_any" as const, value: [tag] }] } });

async function create(user: User, input: CampaignInput) {
  return call(createRoute, user, "/api/campaigns", { method: "POST", body: input });
}

async function until(id: string, check: (c: CampaignDoc) => boolean, timeout = 20_000) {
  await expect.poll(async () => check(await getCampaign(org.orgId, new ObjectId(id))), { timeout, interval: 50 }).toBe(true);
  return getCampaign(org.orgId, new ObjectId(id));
}

describe("campaigns API: a marketer plans, tests, sends and reads the results", () => {
  it("creates a draft, shows the plan with exclusions, cost, limit and the first messages, and sends it", async () => {
    const { tag } = await audienceTag(6, (i) => (i % 3 === 2 ? { consent: { state: "unknown", marketing: false, changedAt: null, source: null } } : { name: i === 0 ? null : `Ana ${i}` }));
    const created = await create(org.users.marketer, welcomeOfferInput(templates.byName("welcome_offer")._id, { name: "Plan me", audience: onTag(tag) }));
    expect(created.status).toBe(201);
    const id = created.body.campaign.id as string;
    expect(created.body.campaign).toMatchObject({ status: "draft", ratePerSecond: 80, variants: [{ key: "A", template: { name: "welcome_offer", category: "MARKETING" } }] });

    const plan = await call(planRoute, org.users.marketer, `/api/campaigns/${id}/plan`, { params: { id } });
    expect(plan.status).toBe(200);
    expect(plan.body.plan).toMatchObject({
      audience: 6,
      recipients: 4,
      excluded: { not_opted_in: 2 },
      cost: { currency: "USD", total: 0.25, byCountry: [{ country: "BR", category: "marketing", messages: 4, unitPrice: 0.0625, total: 0.25 }] },
      limit: { tier: "TIER_250", perDay: 250, exceeds: false },
      durationSeconds: 1,
    });
    expect(plan.body.plan.previews).toHaveLength(4);
    // The contact without a name gets the fallback.
    expect(plan.body.plan.previews.map((p: { body: string }) => p.body)).toContain("Hi there, enjoy 15% off your first order with code SPRING15.");

    const test = await call(testRoute, org.users.marketer, `/api/campaigns/${id}/test`, { method: "POST", params: { id }, body: { phone: "+44 7700 900123" } });
    expect(test.status).toBe(200);
    expect(test.body.message).toMatchObject({ status: expect.stringMatching(/sent|pending|delivered|read/), text: "Hi there, enjoy 15% off your first order with code SPRING15." });
    expect(sim.sim.sent("447700900123")).toHaveLength(1);

    const sent = await call(sendRoute, org.users.marketer, `/api/campaigns/${id}/send`, { method: "POST", params: { id } });
    expect(sent.status).toBe(202);
    expect(sent.body.campaign.status).toBe("preparing");
    const done = await until(id, (c) => c.status === "completed" && c.counters.read === 4);
    expect(done.counters).toMatchObject({ targeted: 6, excluded: 2, sent: 4, delivered: 4, read: 4, costMicros: 250_000 });

    const again = await call(sendRoute, org.users.marketer, `/api/campaigns/${id}/send`, { method: "POST", params: { id } });
    expect(again).toMatchObject({ status: 409, body: { error: { code: "conflict", message: "The campaign is completed; it cannot be started again" } } });

    // Contact-level results, and a CSV of them.
    const page = await call(recipientsRoute, org.users.marketer, `/api/campaigns/${id}/recipients?step=read_not_replied`, { params: { id } });
    expect(page.body.recipients).toHaveLength(4);
    const csv = await call(exportRoute, org.users.marketer, `/api/campaigns/${id}/export`, { params: { id } });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const rows = parse(csv.text.replace(/^\uFEFF/, ""), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(6);
    expect(rows.filter((r) => r.status === "excluded").map((r) => r.excludedReason)).toEqual(["Not opted in", "Not opted in"]);
    expect(rows.filter((r) => r.status === "sent").every((r) => r.readAt)).toBe(true);

    // Retarget: the four who read but did not reply become a list and a segment.
    const rt = await call(retargetRoute, org.users.marketer, `/api/campaigns/${id}/retarget`, { method: "POST", params: { id }, body: { step: "read_not_replied" } });
    expect(rt.status).toBe(201);
    expect(rt.body.retarget).toMatchObject({ members: 4, name: expect.stringContaining("Plan me: read, not replied") });
    expect(await db()("contacts").countDocuments({ listIds: new ObjectId(rt.body.retarget.listId) })).toBe(4);
    const segment = await db()("segments").findOne({ _id: new ObjectId(rt.body.retarget.segmentId) });
    expect(segment?.definition).toEqual({ match: "all", conditions: [{ field: "listIds", op: "has_any", value: [rt.body.retarget.listId] }] });

    const list = await call(listRoute, org.users.marketer, "/api/campaigns");
    expect(list.body.campaigns.map((c: { id: string }) => c.id)).toContain(id);
  });

  it("refuses what cannot be sent, each with its reason", async () => {
    const { tag } = await audienceTag(1);
    const bad = await create(org.users.marketer, { ...welcomeOfferInput(templates.byName("welcome_offer")._id), variants: [] });
    expect(bad).toMatchObject({ status: 422, body: { error: { code: "unprocessable_entity", message: expect.stringContaining("variants: choose a template") } } });
    const noAudience = await create(org.users.marketer, welcomeOfferInput(templates.byName("welcome_offer")._id, { audience: { segmentId: null, definition: null } }));
    expect(noAudience.body.error.message).toBe("audience: choose a segment, a list, tags or conditions");

    // A rejected template cannot be sent.
    const rejected = await create(org.users.marketer, welcomeOfferInput(templates.byName("flash_sale_blast")._id, { audience: onTag(tag), variants: [{ key: "A", templateId: templates.byName("flash_sale_blast")._id.toHexString(), weight: 100, variables: { "body:1": { source: "static", value: "x" } } }] }));
    const id = rejected.body.campaign.id as string;
    const refused = await call(sendRoute, org.users.marketer, `/api/campaigns/${id}/send`, { method: "POST", params: { id } });
    expect(refused).toMatchObject({ status: 422, body: { error: { message: 'The template "flash_sale_blast" is rejected (PROMOTIONAL); only an approved template can be sent' } } });

    // An unmapped variable.
    const unmapped = await create(org.users.marketer, welcomeOfferInput(templates.byName("welcome_offer")._id, { audience: onTag(tag), variants: [{ key: "A", templateId: templates.byName("welcome_offer")._id.toHexString(), weight: 100, variables: {} }] }));
    const uid = unmapped.body.campaign.id as string;
    expect((await call(sendRoute, org.users.marketer, `/api/campaigns/${uid}/send`, { method: "POST", params: { id: uid } })).body.error.message).toBe("Variant A: choose a value for Body {{1}}, Body {{2}}, Body {{3}}");

    // A schedule in the past.
    const ok = await create(org.users.marketer, welcomeOfferInput(templates.byName("welcome_offer")._id, { audience: onTag(tag) }));
    const okId = ok.body.campaign.id as string;
    const past = await call(scheduleRoute, org.users.marketer, `/api/campaigns/${okId}/schedule`, { method: "POST", params: { id: okId }, body: { at: new Date(Date.now() - 60_000).toISOString() } });
    expect(past).toMatchObject({ status: 422, body: { error: { message: "at: the time is in the past (schedule at least a minute ahead, or send now)" } } });

    // Nobody left after the exclusions: the campaign completes with nothing sent, and the plan says why first.
    const nobody = await audienceTag(2, () => ({ consent: { state: "opted_out", marketing: false, changedAt: null, source: "keyword" } }));
    const empty = await create(org.users.marketer, welcomeOfferInput(templates.byName("welcome_offer")._id, { audience: onTag(nobody.tag) }));
    const eid = empty.body.campaign.id as string;
    const plan = await call(planRoute, org.users.marketer, `/api/campaigns/${eid}/plan`, { params: { id: eid } });
    expect(plan.body.plan).toMatchObject({ recipients: 0, excluded: { opted_out: 2 }, warnings: ["No one is left to send to after the exclusions."] });
    const sent = await call(sendRoute, org.users.marketer, `/api/campaigns/${eid}/send`, { method: "POST", params: { id: eid } });
    expect(sent).toMatchObject({ status: 422, body: { error: { message: "No one is left to send to after the exclusions (2 excluded); change the audience or the exclusions" } } });
  });

  it("a scheduled campaign starts at its time from the minutely tick, in the organization's timezone", async () => {
    const { tag } = await audienceTag(2);
    const created = await create(org.users.marketer, welcomeOfferInput(templates.byName("welcome_offer")._id, { audience: onTag(tag) }));
    const id = created.body.campaign.id as string;
    const at = new Date(Date.now() + 5 * 60_000);
    const scheduled = await call(scheduleRoute, org.users.marketer, `/api/campaigns/${id}/schedule`, { method: "POST", params: { id }, body: { at: at.toISOString().replace("Z", "+00:00") } });
    expect(scheduled.body.campaign).toMatchObject({ status: "scheduled", scheduledAt: at.toISOString() });
    await campaignsTickJob.handle({}, { messageId: "tick-1", attempt: 1, enqueue });
    expect((await getCampaign(org.orgId, new ObjectId(id))).status).toBe("scheduled");
    await db()("campaigns").updateOne({ _id: new ObjectId(id) }, { $set: { scheduledAt: new Date(Date.now() - 1000) } });
    await campaignsTickJob.handle({}, { messageId: "tick-2", attempt: 1, enqueue });
    const done = await until(id, (c) => c.status === "completed");
    expect(done.counters.sent).toBe(2);
  });

  it("a template paused by Meta stops the campaigns that use it, with the reason", async () => {
    const { tag } = await audienceTag(2);
    const created = await create(org.users.marketer, welcomeOfferInput(templates.byName("welcome_offer")._id, { audience: onTag(tag) }));
    const id = created.body.campaign.id as string;
    await call(scheduleRoute, org.users.marketer, `/api/campaigns/${id}/schedule`, { method: "POST", params: { id }, body: { at: new Date(Date.now() + 3600_000).toISOString() } });
    const t = templates.byName("welcome_offer");
    const body = managementEnvelope(SIM.wabaId, "message_template_status_update", { event: "PAUSED", message_template_id: Number(t.metaId), message_template_name: t.name, message_template_language: t.language, reason: "NONE", other_info: { title: "FIRST_PAUSE", description: "low quality" } });
    const res = await fetch(`${app.url}/api/webhooks/whatsapp`, { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": signWith(JSON.stringify(body), SIM.appSecret) }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    const paused = await getCampaign(org.orgId, new ObjectId(id));
    expect(paused).toMatchObject({ status: "paused", pauseReason: 'The template "welcome_offer" was paused by Meta (FIRST_PAUSE)' });
    // Back to approved; the scheduled campaign resumes to its schedule.
    await db()("whatsapp_templates").updateOne({ _id: t._id }, { $set: { status: "APPROVED" } });
    const { POST: resumeRoute } = await import("@/app/api/campaigns/[id]/resume/route");
    const resumed = await call(resumeRoute, org.users.marketer, `/api/campaigns/${id}/resume`, { method: "POST", params: { id } });
    expect(resumed.body.campaign.status).toBe("scheduled");
    await call(cancelRoute, org.users.marketer, `/api/campaigns/${id}/cancel`, { method: "POST", params: { id } });
  });

  it("counts a tracked link click once and redirects to the campaign's link", async () => {
    // A template whose URL button is the app's tracked redirect.
    const tid = new ObjectId();
    const now = new Date();
    const trackedName = `tracked_${tid.toHexString()}`;
    await db()("whatsapp_templates").insertOne({
      _id: tid, accountId: account._id, wabaId: SIM.wabaId, metaId: "77", name: trackedName, language: "en_US", category: "MARKETING", status: "APPROVED", qualityScore: null, rejectedReason: null, parameterFormat: "positional",
      components: [{ type: "BODY", text: "New arrivals are in." }, { type: "BUTTONS", buttons: [{ type: "URL", text: "Shop", url: `${process.env.APP_URL ?? "http://localhost:3000"}/r/{{1}}` }] }], key: `${SIM.wabaId}:${trackedName}:en_US`, syncedAt: now, createdAt: now, updatedAt: now,
    });
    sim.sim.addTemplate({ id: "77", name: trackedName, language: "en_US", status: "APPROVED", category: "MARKETING", parameter_format: "POSITIONAL", components: [{ type: "BODY", text: "New arrivals are in." }], rejected_reason: "NONE", quality_score: { score: "GREEN" } });
    const { tag, docs } = await audienceTag(2);
    const created = await create(org.users.marketer, { ...welcomeOfferInput(tid, { audience: onTag(tag) }), variants: [{ key: "A", templateId: tid.toHexString(), weight: 100, variables: { "button:0:1": { source: "tracked_link", url: "https://shop.example.com/new" } } }] });
    const id = created.body.campaign.id as string;
    const started = await call(sendRoute, org.users.marketer, `/api/campaigns/${id}/send`, { method: "POST", params: { id } });
    expect(started.status, started.text).toBe(202);
    await until(id, (c) => c.status === "completed");
    const sentRequest = sim.sim.sent(docs[0]!.waId!)[0]!.request as { template: { components: { sub_type?: string; parameters: { text: string }[] }[] } };
    const token = sentRequest.template.components.find((c) => c.sub_type === "url")!.parameters[0]!.text;
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${app.url}/r/${token}`, { redirect: "manual" });
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("https://shop.example.com/new");
    }
    expect((await getCampaign(org.orgId, new ObjectId(id))).counters.clicked).toBe(1);
    expect((await fetch(`${app.url}/r/${token.slice(0, 24)}AAAAAAAAAA`, { redirect: "manual" })).status).toBe(404);
  });

  it("measures conversions against a control group that is never sent to", async () => {
    const { tag, docs } = await audienceTag(40);
    const created = await create(org.users.marketer, welcomeOfferInput(templates.byName("welcome_offer")._id, { audience: onTag(tag), controlPercent: 25, conversion: { kind: "tag", tag: "bought", windowHours: 72 } }));
    const id = created.body.campaign.id as string;
    await call(sendRoute, org.users.marketer, `/api/campaigns/${id}/send`, { method: "POST", params: { id } });
    const done = await until(id, (c) => c.status === "completed");
    const control = await db()("campaign_recipients").find({ campaignId: new ObjectId(id), status: "control" }).toArray();
    expect(control.length).toBeGreaterThan(0);
    expect(done.counters.sent).toBe(40 - control.length);
    expect(control.every((r) => sim.sim.sent(docs.find((d) => d._id.equals(r.contactId))!.waId!).length === 0)).toBe(true);
    // Two recipients and one control contact buy.
    const sentOnes = await db()("campaign_recipients").find({ campaignId: new ObjectId(id), status: "sent" }).limit(2).toArray();
    await db()("contacts").updateMany({ _id: { $in: [...sentOnes.map((r) => r.contactId), control[0]!.contactId] } }, { $addToSet: { tags: "bought" }, $set: { updatedAt: new Date() } });
    await campaignsTickJob.handle({}, { messageId: "tick-c", attempt: 1, enqueue });
    await campaignsTickJob.handle({}, { messageId: "tick-d", attempt: 1, enqueue });
    const after = await getCampaign(org.orgId, new ObjectId(id));
    expect(after.counters.converted).toBe(3);
    expect(after.byVariant.control!.converted).toBe(1);
    expect(after.byVariant.A!.converted).toBe(2);
  });

  it("converts a recipient who is moved into the campaign's goal stage, once, and not by an undo", async () => {
    const { tag } = await audienceTag(3);
    const created = await create(org.users.marketer, welcomeOfferInput(templates.byName("welcome_offer")._id, { audience: onTag(tag), conversion: { kind: "journey_stage", stage: "purchase", windowHours: 72 } }));
    expect(created.status).toBe(201);
    const id = created.body.campaign.id as string;
    await call(sendRoute, org.users.marketer, `/api/campaigns/${id}/send`, { method: "POST", params: { id } });
    await until(id, (c) => c.status === "completed");
    const [r1, r2] = await db()("campaign_recipients").find({ campaignId: new ObjectId(id), status: "sent" }).limit(2).toArray();
    const person = { id: org.users.admin._id, name: "Ada" };
    await moveJourneyStage(org.orgId, person, r1!.contactId, { stage: "consideration" });
    await moveJourneyStage(org.orgId, person, r1!.contactId, { stage: "purchase" });
    // Back and forth again: still one conversion.
    await moveJourneyStage(org.orgId, person, r1!.contactId, { stage: "retention" });
    await moveJourneyStage(org.orgId, person, r1!.contactId, { stage: "purchase" });
    // Another stage is not the goal.
    await moveJourneyStage(org.orgId, person, r2!.contactId, { stage: "interest" });
    const after = await getCampaign(org.orgId, new ObjectId(id));
    expect(after.counters.converted).toBe(1);
    expect((await db()("campaign_recipients").findOne({ _id: r1!._id }))!.convertedAt).toEqual(expect.any(Date));
    // The funnel over time ends where the counters are: all three sent, one converted.
    const timeline = await call(timelineRoute, org.users.marketer, `/api/campaigns/${id}/timeline`, { params: { id } });
    expect(timeline.status).toBe(200);
    const points = timeline.body.timeline as { hour: string; sent: number; converted: number }[];
    expect(points.at(-1)).toMatchObject({ sent: 3, converted: 1 });
    expect(points.every((p, i) => i === 0 || p.sent >= points[i - 1]!.sent)).toBe(true);
    expect((await call(timelineRoute, (await createOrg()).users.admin, `/api/campaigns/${id}/timeline`, { params: { id } })).status).toBe(404);
  });

  it("an A/B test sends the holdback with the winner after the rule's hours", async () => {
    const { tag } = await audienceTag(60);
    const A = templates.byName("welcome_offer");
    const B = templates.byName("order_shipped");
    const created = await create(org.users.marketer, {
      ...welcomeOfferInput(A._id, { audience: onTag(tag), winner: { metric: "reply_rate", afterHours: 2, holdbackPercent: 50 }, conversion: { kind: "event", name: "purchase", windowHours: 72 } }),
      variants: [
        { key: "A", templateId: A._id.toHexString(), weight: 50, variables: { "body:1": { source: "field", field: "first_name", fallback: "there" }, "body:2": { source: "static", value: "10%" }, "body:3": { source: "static", value: "AB10" } } },
        { key: "B", templateId: B._id.toHexString(), weight: 50, variables: { "body:1": { source: "field", field: "first_name", fallback: "there" }, "body:2": { source: "static", value: "#1" }, "body:3": { source: "static", value: "Friday" } } },
      ],
    });
    expect(created.status).toBe(201);
    const id = created.body.campaign.id as string;
    await call(sendRoute, org.users.marketer, `/api/campaigns/${id}/send`, { method: "POST", params: { id } });
    const tested = await until(id, (c) => c.status === "sending" && c.counters.pending === (c.byVariant.holdback?.pending ?? -1) && c.counters.read === c.counters.sent);
    const holdback = tested.byVariant.holdback!.targeted;
    expect(holdback).toBeGreaterThan(10);
    // B's recipients reply more.
    const bs = await db()("campaign_recipients").find({ campaignId: new ObjectId(id), variant: "B", status: "sent" }).limit(3).toArray();
    for (const r of bs) await sim.sim.customerSends(r.to!.slice(1), { type: "text", text: "yes please" });
    await until(id, (c) => c.byVariant.B!.replied === bs.length);
    // An API event converts a recipient of a campaign whose goal it is.
    expect(await recordGoalReached(org.orgId, bs[0]!.contactId, { kind: "event", name: "purchase" }, new Date())).toBe(1);
    expect(await recordGoalReached(org.orgId, bs[0]!.contactId, { kind: "event", name: "signup" }, new Date())).toBe(0);
    const result = (await campaignWinnerJob.handle({ orgId: org.orgId.toHexString(), campaignId: id }, { messageId: "w", attempt: 1, enqueue })) as { winner: string; moved: number };
    expect(result).toMatchObject({ winner: "B", moved: holdback });
    const done = await until(id, (c) => c.status === "completed");
    expect(done.winnerKey).toBe("B");
    expect(done.byVariant.holdback).toMatchObject({ targeted: 0, pending: 0 });
    expect(done.counters.sent).toBe(60);
    // A second run of the job changes nothing.
    expect(await campaignWinnerJob.handle({ orgId: org.orgId.toHexString(), campaignId: id }, { messageId: "w2", attempt: 1, enqueue })).toMatchObject({ skipped: "completed" });
  });

  it("sends marketing templates through the Marketing Messages API when the number is set to", async () => {
    const id = account._id.toHexString();
    const set = await call(accountRoute, org.users.admin, `/api/whatsapp-accounts/${id}`, { method: "PATCH", params: { id }, body: { marketingMessagesApi: true } });
    expect(set.body.account).toMatchObject({ marketingMessagesApi: true, throughputMps: 80 });
    expect((await call(accountRoute, org.users.admin, `/api/whatsapp-accounts/${id}`, { method: "PATCH", params: { id }, body: { throughputMps: 5000 } })).body.error.message).toBe("throughputMps: must be a whole number from 1 to 1000");
    const before = sim.sim.marketingMessages;
    const { tag } = await audienceTag(3);
    const created = await create(org.users.marketer, welcomeOfferInput(templates.byName("welcome_offer")._id, { audience: onTag(tag) }));
    const cid = created.body.campaign.id as string;
    await call(sendRoute, org.users.marketer, `/api/campaigns/${cid}/send`, { method: "POST", params: { id: cid } });
    await until(cid, (c) => c.status === "completed");
    expect(sim.sim.marketingMessages - before).toBe(3);
    await call(accountRoute, org.users.admin, `/api/whatsapp-accounts/${id}`, { method: "PATCH", params: { id }, body: { marketingMessagesApi: false } });
  });
});

describe("campaigns are the organization's own", () => {
  it("another organization can neither read, plan, send nor export a campaign, and agents may not open campaigns", async () => {
    const { tag } = await audienceTag(1);
    const created = await create(org.users.marketer, welcomeOfferInput(templates.byName("welcome_offer")._id, { audience: onTag(tag) }));
    const id = created.body.campaign.id as string;
    const notFound = { status: 404, body: { error: { code: "not_found", message: "Campaign not found" } } };
    expect(await call(getRoute, other.users.admin, `/api/campaigns/${id}`, { params: { id } })).toMatchObject(notFound);
    expect(await call(planRoute, other.users.admin, `/api/campaigns/${id}/plan`, { params: { id } })).toMatchObject(notFound);
    expect(await call(sendRoute, other.users.admin, `/api/campaigns/${id}/send`, { method: "POST", params: { id } })).toMatchObject(notFound);
    expect(await call(exportRoute, other.users.admin, `/api/campaigns/${id}/export`, { params: { id } })).toMatchObject(notFound);
    expect(await call(recipientsRoute, other.users.admin, `/api/campaigns/${id}/recipients`, { params: { id } })).toMatchObject(notFound);
    expect(await call(putRoute, other.users.admin, `/api/campaigns/${id}`, { method: "PUT", params: { id }, body: welcomeOfferInput(templates.byName("welcome_offer")._id, { audience: onTag(tag) }) })).toMatchObject(notFound);
    expect((await call(listRoute, other.users.admin, "/api/campaigns")).body.campaigns).toEqual([]);
    // Org B cannot use org A's template in its own campaign either.
    const theirs = await create(other.users.admin, welcomeOfferInput(templates.byName("welcome_offer")._id, { audience: onTag(tag) }));
    expect(theirs.status).toBe(422);
    expect(await call(getRoute, org.users.agent, `/api/campaigns/${id}`, { params: { id } })).toMatchObject({ status: 403 });
    expect((await getCampaign(org.orgId, new ObjectId(id))).status).toBe("draft");
  });
});
