import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ObjectId } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as createRoute, GET as listRoute } from "@/app/api/automations/route";
import { GET as getRoute, PUT as putRoute } from "@/app/api/automations/[id]/route";
import { GET as runsRoute } from "@/app/api/automations/[id]/runs/route";
import { POST as dryRunRoute } from "@/app/api/automations/dry-run/route";
import { POST as webhookRoute } from "@/app/api/webhooks/whatsapp/route";
import { automationEventJob, automationResumeJob } from "@/lib/automation/jobs";
import { automationsTickJob } from "@/lib/automation/schedule";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { createWebhookEndpoint } from "@/lib/outbound-webhooks/endpoints";
import { retentionJob } from "@/lib/jobs/retention";
import { moveJourneyStage } from "@/lib/journey/journey";
import type { AutomationEvent, TriggerInput } from "@/lib/schemas/automation";
import type { UserDoc } from "@/lib/schemas/user";
import { createCampaign, startCampaign } from "@/lib/campaigns/campaigns";
import { campaignContacts, syncedTemplates, welcomeOfferInput } from "../support/campaign-fixtures";
import { createOrg, request, routeParams } from "../support/factories";
import { insertSimAccount, pointEnvAtSimulator, startSimulator } from "../support/graph-sim";
import { seedConversation, seedMessage } from "../support/inbox-fixtures";
import { startRouteServer } from "../support/route-server";

let app: Awaited<ReturnType<typeof startRouteServer>>;
let sim: Awaited<ReturnType<typeof startSimulator>>;
let org: Awaited<ReturnType<typeof createOrg>>;
let account: Awaited<ReturnType<typeof insertSimAccount>>;
let helloWorld: ObjectId;
let welcomeOffer: ObjectId;

beforeAll(async () => {
  app = await startRouteServer([{ pattern: "/api/webhooks/whatsapp", handlers: { POST: webhookRoute } }]);
  sim = await startSimulator(`${app.url}/api/webhooks/whatsapp`, 5);
  await pointEnvAtSimulator(sim);
  org = await createOrg();
  account = await insertSimAccount(org.orgId);
  const templates = await syncedTemplates(org.orgId, account._id);
  helloWorld = templates.byName("hello_world")._id;
  welcomeOffer = templates.byName("welcome_offer")._id;
  // The AI agent would answer the customer's messages too; these tests watch the automation's own sends.
  await scoped(org.orgId)("settings").updateOne({}, { $set: { aiEnabled: false } });
});

afterAll(async () => {
  await sim.stop();
  await app.stop();
});

const db = () => scoped(org.orgId);
const ctx = (attempt = 1) => ({ messageId: new ObjectId().toHexString(), attempt, enqueue: (() => Promise.resolve({ messageId: "x" })) as never });

async function create(user: UserDoc, body: TriggerInput) {
  return createRoute(await request(user, "/api/automations", { method: "POST", body }), routeParams({}));
}
async function created(body: TriggerInput, user = org.users.admin) {
  const res = await create(user, { active: true, ...body });
  const json = await res.json();
  expect(res.status, JSON.stringify(json)).toBe(201);
  return json.automation as { id: string; version: number };
}
/** A trigger's runs (for one contact: events of earlier tests may still be arriving for theirs). */
const runsOf = (triggerId: string, contactId?: ObjectId) =>
  db()("automation_runs").find({ triggerId: new ObjectId(triggerId), ...(contactId ? { contactId } : {}) }, { sort: { startedAt: 1 } }).toArray();

/** Delivers an automation event as the job system would (the driver's delivery is what the webhook tests cover). */
async function deliver(event: AutomationEvent, origin: { triggerId: string; runId: string } | null = null, attempt = 1) {
  return automationEventJob.handle(automationEventJob.schema.parse({ orgId: org.orgId.toHexString(), event, origin }), ctx(attempt));
}
const lifecycle = (contactId: ObjectId, event: Extract<AutomationEvent, { kind: "lifecycle" }>["event"], data: Record<string, string | number | null> = {}, conversationId: ObjectId | null = null): AutomationEvent => ({
  kind: "lifecycle",
  event,
  contactId: contactId.toHexString(),
  conversationId: conversationId?.toHexString() ?? null,
  data,
  at: new Date().toISOString(),
});
async function disableAll() {
  await db()("triggers").updateMany({}, { $set: { active: false } });
}

describe("triggers and workflows", () => {
  it("keyword “price” → tag lead, stage interest and a template reply, from a real inbound WhatsApp message", async () => {
    await disableAll();
    const t = await created({
      name: "Price enquiries",
      when: { type: "conversation_pattern", keywords: ["price", "precio"] },
      steps: [
        { kind: "add_tags", tags: ["lead"] },
        { kind: "set_stage", stage: "interest" },
        { kind: "send_message", text: "", templateId: helloWorld.toHexString() },
      ],
    }, org.users.marketer);
    const waId = "5511988880001";
    await sim.sim.customerSends(waId, { type: "text", text: "What's the Price?" });
    await expect.poll(async () => (await runsOf(t.id))[0]?.status, { timeout: 20_000 }).toBe("completed");
    const contact = await db()("contacts").findOne({ waId });
    expect(contact).toMatchObject({ tags: ["lead"], journey: { stage: "interest" } });
    expect(sim.sim.sent(waId).filter((m) => m.type === "template")).toHaveLength(1);
    const [run] = await runsOf(t.id);
    expect(run!.trace.map((s) => [s.kind, s.status])).toEqual([["add_tags", "done"], ["set_stage", "done"], ["send_message", "done"]]);
    expect(run!.trace[2]!.detail).toBe("Sent the template “hello_world”");
    // A message without the word does not fire it; "priceless" is not "price".
    await sim.sim.customerSends(waId, { type: "text", text: "That is priceless, thanks" });
    await sim.sim.idle();
    await expect.poll(async () => db()("automation_runs").countDocuments({ contactId: contact!._id, "event.kind": "message" }), { timeout: 5_000 }).toBe(1);
    // The trigger shows its count and success rate; the run history has the trace.
    const listed = (await (await listRoute(await request(org.users.marketer, "/api/automations"), routeParams({}))).json()).automations;
    expect(listed.find((a: { id: string }) => a.id === t.id)).toMatchObject({ executionCount: 1, successRate: 1 });
    const history = await (await runsRoute(await request(org.users.marketer, `/api/automations/${t.id}/runs`), routeParams({ id: t.id }))).json();
    expect(history.runs[0]).toMatchObject({ status: "completed", contactName: expect.any(String), trace: [{ kind: "add_tags" }, { kind: "set_stage" }, { kind: "send_message" }] });
  });

  it("refuses to save a trigger that cannot run, with the reason", async () => {
    const base = { name: "x", when: { type: "conversation_pattern" as const, keywords: ["hi"] }, steps: [{ kind: "add_tags" as const, tags: ["a"] }] };
    const reason = async (user: UserDoc, body: TriggerInput) => {
      const res = await create(user, body);
      return { status: res.status, message: (await res.json()).error?.message as string };
    };
    expect(await reason(org.users.admin, { ...base, conditions: { match: "all", conditions: [{ field: "shoeSize", op: "is", value: "42" }] } })).toMatchObject({ status: 422, message: expect.stringContaining('unknown field "shoeSize"') });
    await db()("whatsapp_templates").updateOne({ _id: welcomeOffer }, { $set: { status: "PENDING" } });
    expect(await reason(org.users.admin, { ...base, steps: [{ kind: "send_message", text: "", templateId: welcomeOffer.toHexString() }] })).toMatchObject({ status: 422, message: expect.stringContaining("pending; only approved templates") });
    await db()("whatsapp_templates").updateOne({ _id: welcomeOffer }, { $set: { status: "APPROVED" } });
    expect(await reason(org.users.admin, { ...base, when: { type: "conversation_pattern", keywords: [], regex: "(unclosed" } })).toMatchObject({ status: 422, message: expect.stringContaining("when.regex") });
    // A marketer automates contacts and templates, not the team's inbox.
    expect(await reason(org.users.marketer, { ...base, steps: [{ kind: "assign", userId: null }] })).toMatchObject({ status: 403, message: expect.stringContaining("needs assign:conversations") });
    expect((await create(org.users.agent, base)).status).toBe(403);
    expect(await db()("triggers").countDocuments({ name: "x" })).toBe(0);
  });

  it("waits for a reply with a timeout: one outcome wins, however the deliveries are ordered or repeated", async () => {
    await disableAll();
    const t = await created({
      name: "Follow up after resolve",
      when: { type: "lifecycle", event: "conversation_resolved" },
      steps: [{ kind: "wait_for_reply", minutes: 60, replied: [{ kind: "add_tags", tags: ["replied"] }], timeout: [{ kind: "add_tags", tags: ["silent"] }] }, { kind: "add_tags", tags: ["followed-up"] }],
    });
    const a = await seedConversation(org.orgId);
    const b = await seedConversation(org.orgId);
    const evA = lifecycle(a.contactId, "conversation_resolved", {}, a._id);
    await deliver(evA);
    await deliver(evA); // redelivered: still one run
    const [runA] = await runsOf(t.id);
    expect(await db()("automation_runs").countDocuments({ contactId: a.contactId })).toBe(1);
    expect(runA).toMatchObject({ status: "waiting", cursor: "0", waiting: { kind: "reply" } });

    // A: the timeout comes first; the late reply and a redelivered timeout change nothing.
    const timeout = { orgId: org.orgId.toHexString(), runId: runA!._id.toHexString(), path: "0", outcome: "timeout" as const };
    await automationResumeJob.handle(timeout, ctx());
    await deliver({ kind: "message", contactId: a.contactId.toHexString(), conversationId: a._id.toHexString(), messageId: (await seedMessage(org.orgId, a, { text: "sorry, late" }))._id.toHexString(), text: null, at: new Date().toISOString() });
    await automationResumeJob.handle(timeout, ctx(2));
    expect((await db()("contacts").findOne({ _id: a.contactId }))!.tags).toEqual(["silent", "followed-up"]);
    expect((await db()("automation_runs").findOne({ _id: runA!._id }))!.status).toBe("completed");

    // B: the reply comes first; the timeout delivered afterwards is late.
    await deliver(lifecycle(b.contactId, "conversation_resolved", {}, b._id));
    const runB = (await db()("automation_runs").findOne({ contactId: b.contactId }))!;
    const msg = await seedMessage(org.orgId, b, { text: "thanks!" });
    await deliver({ kind: "message", contactId: b.contactId.toHexString(), conversationId: b._id.toHexString(), messageId: msg._id.toHexString(), text: null, at: new Date().toISOString() });
    await automationResumeJob.handle({ ...timeout, runId: runB._id.toHexString() }, ctx());
    const doneB = (await db()("automation_runs").findOne({ _id: runB._id }))!;
    expect((await db()("contacts").findOne({ _id: b.contactId }))!.tags).toEqual(["replied", "followed-up"]);
    expect(doneB.trace.map((s) => [s.path, s.kind, s.status])).toEqual([["0", "wait_for_reply", "done"], ["0.replied.0", "add_tags", "done"], ["1", "add_tags", "done"]]);
    expect(doneB.trace[0]!.detail).toMatch(/^The customer replied after \d+ min$/);
  });

  it("a delay resumes from its job, and a run finishes on the version it started on", async () => {
    await disableAll();
    const t = await created({ name: "Welcome series", when: { type: "lifecycle", event: "contact_created" }, steps: [{ kind: "wait", minutes: 3 * 24 * 60 }, { kind: "add_tags", tags: ["v1"] }] });
    const c = await seedConversation(org.orgId);
    await deliver(lifecycle(c.contactId, "contact_created"));
    const run = (await db()("automation_runs").findOne({ contactId: c.contactId }))!;
    expect(run).toMatchObject({ status: "waiting", waiting: { kind: "delay" }, version: 1 });
    expect(run.waiting!.until.getTime() - run.waiting!.since.getTime()).toBe(3 * 24 * 3600_000);
    // Edited while the run waits: new runs take version 2, this one keeps its steps.
    const put = await putRoute(await request(org.users.admin, `/api/automations/${t.id}`, { method: "PUT", body: { name: "Welcome series", active: true, when: { type: "lifecycle", event: "contact_created" }, steps: [{ kind: "add_tags", tags: ["v2"] }] } }), routeParams({ id: t.id }));
    expect((await put.json()).automation.version).toBe(2);
    await automationResumeJob.handle({ orgId: org.orgId.toHexString(), runId: run._id.toHexString(), path: "0", outcome: "delay" }, ctx());
    expect((await db()("contacts").findOne({ _id: c.contactId }))!.tags).toEqual(["v1"]);
    const other = await seedConversation(org.orgId);
    await deliver(lifecycle(other.contactId, "contact_created"));
    expect((await db()("contacts").findOne({ _id: other.contactId }))!.tags).toEqual(["v2"]);
  });

  it("loop protection: a trigger's own action does not fire it again, and it runs at most N times per contact per day", async () => {
    await disableAll();
    const t = await created({
      name: "Bounce",
      when: { type: "lifecycle", event: "journey_stage_changed" },
      steps: [{ kind: "set_stage", stage: "consideration" }, { kind: "set_stage", stage: "interest" }],
      maxRunsPerContactPerDay: 2,
    });
    const c = await seedConversation(org.orgId);
    const person = { id: org.users.admin._id, name: "Ada" };
    const finishedEvents = (origin: boolean) =>
      rawCollection("workflow_executions").countDocuments({ job: "automation-event", status: "completed", "payload.event.contactId": c.contactId.toHexString(), "payload.origin": origin ? { $ne: null } : null });
    // A person's move fires it; its own two moves are events too (delivered by the job system), which it does not hear.
    await moveJourneyStage(org.orgId, person, c.contactId, { stage: "awareness" });
    await expect.poll(() => finishedEvents(true), { timeout: 20_000 }).toBe(2);
    expect(await runsOf(t.id, c.contactId)).toHaveLength(1);
    expect((await db()("contacts").findOne({ _id: c.contactId }))!.journey?.stage).toBe("interest");
    // Two more moves by people the same day: the second run, then the third refused.
    await moveJourneyStage(org.orgId, person, c.contactId, { stage: "purchase" });
    await expect.poll(async () => (await runsOf(t.id, c.contactId)).length, { timeout: 20_000 }).toBe(2);
    await expect.poll(() => finishedEvents(true), { timeout: 20_000 }).toBe(4);
    await moveJourneyStage(org.orgId, person, c.contactId, { stage: "retention" });
    await expect.poll(async () => (await runsOf(t.id, c.contactId)).length, { timeout: 20_000 }).toBe(3);
    const runs = await runsOf(t.id, c.contactId);
    expect(runs.map((r) => r.trace.at(-1)?.kind)).toEqual(["set_stage", "set_stage", "loop_protection"]);
    expect(runs[2]!.trace[0]!.detail).toMatch(/already ran 2 time\(s\) for this contact today/);
  });

  it("skips a send to an opted-out contact and free text outside the window, and records why", async () => {
    await disableAll();
    const t = await created({ name: "Nudge", when: { type: "lifecycle", event: "contact_created" }, steps: [{ kind: "send_message", text: "Hi there!", templateId: null }] });
    const closed = await seedConversation(org.orgId, { lastCustomerMessageAt: new Date(Date.now() - 3 * 24 * 3600_000) });
    const optedOut = await seedConversation(org.orgId);
    await db()("contacts").updateOne({ _id: optedOut.contactId }, { $set: { "consent.state": "opted_out" } });
    await deliver(lifecycle(closed.contactId, "contact_created"));
    await deliver(lifecycle(optedOut.contactId, "contact_created"));
    const runs = await runsOf(t.id);
    expect(runs.map((r) => [r.status, r.trace[0]!.status, r.trace[0]!.detail])).toEqual([
      ["completed", "skipped", "The 24-hour window is closed and the step has no template for outside it"],
      ["completed", "skipped", "The contact has opted out of WhatsApp messages"],
    ]);
    expect(await db()("messages").countDocuments({ key: { $regex: "^out:automation:" }, conversationId: { $in: [closed._id, optedOut._id] } })).toBe(0);
  });

  it("a step delivered again after a crash (its effect done, its cursor not moved) does not send twice", async () => {
    await disableAll();
    const t = await created({ name: "Thanks", when: { type: "lifecycle", event: "conversation_resolved" }, steps: [{ kind: "send_message", text: "Thanks for writing!", templateId: null }, { kind: "add_tags", tags: ["thanked"] }] });
    // The customer wrote (the window is open at Meta too).
    await sim.sim.customerSends("5511988880099", { type: "text", text: "hello" });
    const c = await expect.poll(() => db()("conversations").findOne({ "contact.phone": "+5511988880099" }), { timeout: 20_000 }).toBeTruthy().then(() => db()("conversations").findOne({ "contact.phone": "+5511988880099" }));
    await deliver(lifecycle(c!.contactId, "conversation_resolved", {}, c!._id));
    const [run] = await runsOf(t.id);
    expect(run!.status, run!.error ?? "").toBe("completed");
    // As if the process died after Meta accepted the message and before the cursor moved: the job's retry runs step 0 again.
    await db()("automation_runs").updateOne({ _id: run!._id }, { $set: { status: "running", cursor: "0", trace: [] } });
    await automationResumeJob.handle({ orgId: org.orgId.toHexString(), runId: run!._id.toHexString(), path: "0", outcome: "delay" }, ctx(2));
    await sim.sim.idle();
    expect(sim.sim.sent("5511988880099").filter((m) => m.type === "text")).toHaveLength(1);
    expect((await db()("automation_runs").findOne({ _id: run!._id }))!.status).toBe("completed");
  });

  it("dry run: which contacts would have matched in the last 30 days and what would have been sent, without writing", async () => {
    const c1 = await seedConversation(org.orgId, { name: "Dry One" });
    const c2 = await seedConversation(org.orgId, { name: "Dry Two" });
    await seedMessage(org.orgId, c1, { text: "Do you ship to Lisbon? dryrun-price", sentAt: new Date(Date.now() - 5 * 24 * 3600_000) });
    await seedMessage(org.orgId, c2, { text: "hello dryrun-price", sentAt: new Date(Date.now() - 40 * 24 * 3600_000) });
    await db()("contacts").updateOne({ _id: c1.contactId }, { $set: { tags: ["vip"] } });
    const before = await db()("messages").countDocuments({});
    const res = await dryRunRoute(
      await request(org.users.admin, "/api/automations/dry-run", {
        method: "POST",
        body: { name: "Dry", when: { type: "conversation_pattern", keywords: ["dryrun-price"] }, conditions: { match: "all", conditions: [{ field: "tags", op: "has_any", value: ["vip"] }] }, steps: [{ kind: "add_tags", tags: ["lead"] }, { kind: "send_message", text: "Here is our price list", templateId: null }] },
      }),
      routeParams({}),
    );
    const json = await res.json();
    expect(res.status, JSON.stringify(json)).toBe(200);
    const { dryRun } = json;
    expect(dryRun).toMatchObject({ days: 30, runs: 1, contacts: 1, sends: 1 });
    expect(dryRun.samples).toEqual([expect.objectContaining({ name: "Dry One", steps: [{ path: "0", kind: "add_tags", outcome: "Would add #lead" }, { path: "1", kind: "send_message", outcome: "Would send “Here is our price list”" }] })]);
    expect(await db()("messages").countDocuments({})).toBe(before);
    expect((await db()("contacts").findOne({ _id: c1.contactId }))!.tags).toEqual(["vip"]);
  });

  it("a schedule runs once per moment for every contact matching its conditions, in the organization's time zone", async () => {
    await disableAll();
    const bad = await create(org.users.admin, { name: "Bad", when: { type: "time_based", cron: "every monday" }, steps: [{ kind: "add_tags", tags: ["x"] }] });
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.message).toMatch(/^when.cron: not a schedule/);
    const eventField = await create(org.users.admin, { name: "Bad", when: { type: "time_based", cron: "0 9 * * 1" }, conditions: { match: "all", conditions: [{ field: "message.text", op: "contains", value: "hi" }] }, steps: [{ kind: "add_tags", tags: ["x"] }] });
    expect((await eventField.json()).error.message).toMatch(/only test contact fields and saved segments, not message.text/);

    await db()("settings").updateOne({}, { $set: { "businessHours.timezone": "America/Sao_Paulo" } });
    const t = await created({ name: "Monday digest", when: { type: "time_based", cron: "0 9 * * 1" }, conditions: { match: "all", conditions: [{ field: "tags", op: "has_any", value: ["weekly"] }] }, steps: [{ kind: "add_tags", tags: ["digested"] }] });
    const stored = (await db()("triggers").findOne({ _id: new ObjectId(t.id) }))!;
    // 09:00 in São Paulo is 12:00 UTC, on a Monday.
    expect(stored.nextRunAt!.getUTCHours()).toBe(12);
    expect(stored.nextRunAt!.getUTCDay()).toBe(1);
    const members = [await seedConversation(org.orgId), await seedConversation(org.orgId), await seedConversation(org.orgId)];
    await db()("contacts").updateMany({ _id: { $in: members.map((m) => m.contactId) } }, { $set: { tags: ["weekly"] } });
    await db()("contacts").updateOne({ _id: members[2]!.contactId }, { $set: { erasedAt: new Date() } });
    // The moment has come.
    await db()("triggers").updateOne({ _id: stored._id }, { $set: { nextRunAt: new Date(Date.now() - 1000) } });
    await automationsTickJob.handle({}, ctx());
    await automationsTickJob.handle({}, ctx());
    await expect.poll(async () => (await runsOf(t.id)).filter((r) => r.status === "completed").length, { timeout: 20_000 }).toBe(2);
    expect((await runsOf(t.id)).map((r) => r.contactId.toHexString()).sort()).toEqual(members.slice(0, 2).map((m) => m.contactId.toHexString()).sort());
    expect((await db()("contacts").findOne({ _id: members[0]!.contactId }))!.tags).toEqual(["weekly", "digested"]);
    expect((await db()("triggers").findOne({ _id: stored._id }))!.nextRunAt!.getTime()).toBeGreaterThan(Date.now());
    await db()("settings").updateOne({}, { $set: { "businessHours.timezone": "UTC" } });
  });

  it("behavior: a campaign read fires for the reader, and the third message within a day fires once", async () => {
    await disableAll();
    sim.sim.configure({ statusDelayMs: 5, autoRead: true });
    const tag = `camp${new ObjectId().toHexString().slice(-6)}`;
    const [reader] = await campaignContacts(org.orgId, 1, () => ({ tags: [tag] }), 900);
    const campaign = await createCampaign(org.orgId, { id: org.users.admin._id, name: "Ada" }, welcomeOfferInput(welcomeOffer, { audience: { segmentId: null, definition: { match: "all", conditions: [{ field: "tags", op: "has_any", value: [tag] }] } } }));
    const read = await created({ name: "Read it", when: { type: "behavior", event: "campaign_read", campaignId: campaign._id.toHexString() }, steps: [{ kind: "add_tags", tags: ["engaged"] }] });
    const chatty = await created({ name: "Chatty", when: { type: "behavior", event: "messages_in_period", count: 3, periodHours: 24 }, steps: [{ kind: "set_priority", priority: "high" }] });
    await startCampaign(org.orgId, { id: org.users.admin._id, name: "Ada" }, campaign._id);
    await expect.poll(async () => (await runsOf(read.id, reader!._id))[0]?.status, { timeout: 20_000 }).toBe("completed");
    expect((await db()("contacts").findOne({ _id: reader!._id }))!.tags).toEqual([tag, "engaged"]);
    expect((await runsOf(read.id, reader!._id))[0]!.event).toMatchObject({ kind: "behavior", event: "campaign_read" });

    const waId = "5511977770003";
    for (const text of ["one", "two", "three", "four"]) await sim.sim.customerSends(waId, { type: "text", text });
    const contact = await expect.poll(() => db()("contacts").findOne({ waId }), { timeout: 20_000 }).toBeTruthy().then(() => db()("contacts").findOne({ waId }));
    await expect.poll(async () => (await runsOf(chatty.id, contact!._id)).length, { timeout: 20_000 }).toBe(1);
    await expect.poll(() => rawCollection("workflow_executions").countDocuments({ job: "automation-event", status: "completed", "payload.event.kind": "message", "payload.event.contactId": contact!._id.toHexString() }), { timeout: 20_000 }).toBe(4);
    const runs = await runsOf(chatty.id, contact!._id);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.event).toMatchObject({ kind: "message", recent: { "24": expect.any(Number) } });
    expect((runs[0]!.event as { recent: Record<string, number> }).recent["24"]).toBeGreaterThanOrEqual(3);
    expect((await db()("conversations").findOne({ contactId: contact!._id }))!.priority).toBe("high");
    // The firing event delivered again after a crash mid-run still holds the period and finishes its run.
    const firing = runs[0]!.event as Extract<AutomationEvent, { kind: "message" }>;
    await db()("automation_runs").updateOne({ _id: runs[0]!._id }, { $set: { status: "running", cursor: "0", trace: [] } });
    await deliver({ ...firing, recent: undefined, text: null }, null, 2);
    expect(await runsOf(chatty.id, contact!._id)).toHaveLength(1);
    expect((await runsOf(chatty.id, contact!._id))[0]!.status).toBe("completed");
  });

  it("calls the organization's webhook endpoints with an automation.webhook event, once however often the step runs", async () => {
    await disableAll();
    const received: { label: string; runId: string }[] = [];
    const receiver = createServer((req, res) => {
      let raw = "";
      req.on("data", (c: Buffer) => (raw += c.toString()));
      req.on("end", () => {
        const body = JSON.parse(raw) as { type: string; data: { label: string; runId: string } };
        if (body.type === "automation.webhook") received.push(body.data);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
    try {
      await createWebhookEndpoint(org.orgId, { id: org.users.admin._id, name: "Ada" }, { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, events: ["automation.webhook"], description: "" });
      const t = await created({ name: "Tell the ERP", when: { type: "lifecycle", event: "contact_created" }, steps: [{ kind: "call_webhook", label: "new lead for the ERP" }] });
      const c = await seedConversation(org.orgId);
      await deliver(lifecycle(c.contactId, "contact_created"));
      const [run] = await runsOf(t.id, c.contactId);
      expect(run!.trace[0]).toMatchObject({ kind: "call_webhook", status: "done" });
      // The step again, as after a crash before its cursor moved: the same event id, delivered once.
      await db()("automation_runs").updateOne({ _id: run!._id }, { $set: { status: "running", cursor: "0" } });
      await automationResumeJob.handle({ orgId: org.orgId.toHexString(), runId: run!._id.toHexString(), path: "0", outcome: "delay" }, ctx(2));
      await expect.poll(() => received.length, { timeout: 20_000 }).toBe(1);
      expect(received[0]).toMatchObject({ label: "new lead for the ERP", runId: run!._id.toHexString() });
      // A marketer may not point automations at the organization's integrations.
      const refused = await create(org.users.marketer, { name: "x", when: { type: "lifecycle", event: "contact_created" }, steps: [{ kind: "call_webhook", label: "y" }] });
      expect(refused.status).toBe(403);
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });

  it("lets the AI agent answer as a step, within its guardrails (here: no article fits, so it hands over)", async () => {
    await disableAll();
    await db()("settings").updateOne({}, { $set: { aiEnabled: true } });
    try {
      const t = await created({ name: "AI first", when: { type: "conversation_pattern", keywords: ["warranty"] }, steps: [{ kind: "run_agent" }] });
      const c = await seedConversation(org.orgId, { accountId: account._id });
      const m = await seedMessage(org.orgId, c, { text: "Does the warranty cover water damage?" });
      await deliver({ kind: "message", contactId: c.contactId.toHexString(), conversationId: c._id.toHexString(), messageId: m._id.toHexString(), text: null, at: m.sentAt.toISOString() });
      const [run] = await runsOf(t.id, c.contactId);
      expect(run!.trace[0]).toMatchObject({ kind: "run_agent", status: "done", detail: expect.stringMatching(/^The AI agent handed over to a person: /) });
      expect((await db()("conversations").findOne({ _id: c._id }))!.ai.handoverReason).toEqual(expect.any(String));
    } finally {
      await db()("settings").updateOne({}, { $set: { aiEnabled: false } });
    }
  });

  it("assigns and resolves through the inbox's own mechanisms: the thread says so, the audit names the automation, the AI's handover is reset", async () => {
    await disableAll();
    const t = await created({ name: "Close the loop", when: { type: "lifecycle", event: "contact_created" }, steps: [{ kind: "assign", userId: org.users.agent._id.toHexString() }, { kind: "set_status", status: "resolved" }] });
    const c = await seedConversation(org.orgId);
    await db()("conversations").updateOne({ _id: c._id }, { $set: { "ai.handoverReason": "Customer asked for a human" } });
    await deliver(lifecycle(c.contactId, "contact_created"));
    const [run] = await runsOf(t.id, c.contactId);
    expect(run!.trace.map((s) => [s.kind, s.status, s.detail])).toEqual([["assign", "done", `Assigned to ${org.users.agent.name}`], ["set_status", "done", "Status set to resolved"]]);
    const after = (await db()("conversations").findOne({ _id: c._id }))!;
    expect(after).toMatchObject({ status: "resolved", assigneeId: org.users.agent._id, resolvedAt: expect.any(Date), ai: { handoverReason: null } });
    const lines = await db()("messages").find({ conversationId: c._id, type: "system" }, { sort: { createdAt: 1 } }).toArray();
    expect(lines.map((m) => m.text)).toEqual([`Automation “Close the loop” assigned the conversation to ${org.users.agent.name}`, "Automation “Close the loop” resolved the conversation"]);
    const audit = await db()("activity_logs").find({ entityId: c._id }, { sort: { at: 1 } }).toArray();
    expect(audit.map((a) => [a.action, a.actorName])).toEqual([["conversation.assigned", "Automation “Close the loop”"], ["conversation.resolved", "Automation “Close the loop”"]]);
  });

  it("retention removes finished runs past the job-log period and keeps a run still waiting, however old", async () => {
    const t = await created({ name: "Old runs", when: { type: "lifecycle", event: "contact_created" }, steps: [{ kind: "wait", minutes: 60 }] });
    const c = await seedConversation(org.orgId);
    await deliver(lifecycle(c.contactId, "contact_created"));
    const waiting = (await runsOf(t.id))[0]!;
    const long = new Date(Date.now() - 60 * 24 * 3600_000);
    const { orgId: _org, ...rest } = waiting;
    const finished = { ...rest, _id: new ObjectId(), eventKey: `old-${new ObjectId().toHexString()}`, status: "completed" as const, cursor: null, waiting: null, startedAt: long, completedAt: long };
    await db()("automation_runs").insertOne(finished);
    await db()("automation_runs").updateOne({ _id: waiting._id }, { $set: { startedAt: long } });
    await retentionJob.handle({ orgId: org.orgId.toHexString(), batchSize: 500 }, { messageId: "retention-automation", attempt: 1, enqueue: async () => ({ messageId: "x", deduplicated: false }) });
    expect((await runsOf(t.id)).map((r) => r._id.toHexString())).toEqual([waiting._id.toHexString()]);
  });

  it("another organization cannot read, change or list a trigger or its runs", async () => {
    const t = await created({ name: "Private", when: { type: "lifecycle", event: "contact_created" }, steps: [{ kind: "add_tags", tags: ["x"] }] });
    const stranger = await createOrg();
    expect((await getRoute(await request(stranger.users.admin, `/api/automations/${t.id}`), routeParams({ id: t.id }))).status).toBe(404);
    expect((await runsRoute(await request(stranger.users.admin, `/api/automations/${t.id}/runs`), routeParams({ id: t.id }))).status).toBe(404);
    const put = await putRoute(await request(stranger.users.admin, `/api/automations/${t.id}`, { method: "PUT", body: { name: "Mine now", when: { type: "lifecycle", event: "contact_created" }, steps: [{ kind: "add_tags", tags: ["y"] }] } }), routeParams({ id: t.id }));
    expect(put.status).toBe(404);
    const theirs = (await (await listRoute(await request(stranger.users.admin, "/api/automations"), routeParams({}))).json()).automations;
    expect(theirs).toEqual([]);
    expect((await db()("triggers").findOne({ _id: new ObjectId(t.id) }))!.name).toBe("Private");
  });
});

