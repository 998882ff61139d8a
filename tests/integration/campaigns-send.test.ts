import { ObjectId } from "mongodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as webhookRoute } from "@/app/api/webhooks/whatsapp/route";
import { cancelCampaign, createCampaign, getCampaign, pauseByPerson, resumeCampaign, startCampaign } from "@/lib/campaigns/campaigns";
import { applyFailure } from "@/lib/campaigns/outcomes";
import { recipientFor } from "@/lib/campaigns/prepare-job";
import { campaignSendJob } from "@/lib/campaigns/send-job";
import { campaignsTickJob } from "@/lib/campaigns/tick-job";
import { contactProfile } from "@/lib/contacts/profile";
import { scoped } from "@/lib/db/scoped";
import { reserveSendTime } from "@/lib/messaging/send-pacer";
import { enqueue } from "@/lib/jobs/enqueue";
import type { CampaignDoc } from "@/lib/schemas/campaign";
import { campaignContacts, syncedTemplates, welcomeOfferInput } from "../support/campaign-fixtures";
import { createOrg } from "../support/factories";
import { insertSimAccount, pointEnvAtSimulator, startSimulator } from "../support/graph-sim";
import { startRouteServer } from "../support/route-server";

// A pending send with no status webhook is resent after this (10 minutes in production).
vi.hoisted(() => {
  process.env.CAMPAIGN_IN_DOUBT_AFTER_MS = "400";
  process.env.CAMPAIGN_STALL_MS = "0";
});

let app: Awaited<ReturnType<typeof startRouteServer>>;
let sim: Awaited<ReturnType<typeof startSimulator>>;
let org: Awaited<ReturnType<typeof createOrg>>;
let account: Awaited<ReturnType<typeof insertSimAccount>>;
let templateId: ObjectId;
let contactStart = 0;
const actor = () => ({ id: org.users.admin._id, name: "Ada" });

beforeAll(async () => {
  // The simulator's status webhooks go to the app's real webhook route.
  app = await startRouteServer([{ pattern: "/api/webhooks/whatsapp", handlers: { POST: webhookRoute } }]);
  sim = await startSimulator(`${app.url}/api/webhooks/whatsapp`, 5);
  await pointEnvAtSimulator(sim);
  org = await createOrg();
  account = await insertSimAccount(org.orgId);
  templateId = (await syncedTemplates(org.orgId, account._id)).byName("welcome_offer")._id;
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

const db = () => scoped(org.orgId);

/** Contacts tagged with a fresh tag (so each test has its own audience). */
async function audience(count: number, extra: Parameters<typeof campaignContacts>[2] = () => ({})) {
  const tag = `t${new ObjectId().toHexString().slice(-8)}`;
  const docs = await campaignContacts(org.orgId, count, (i) => ({ tags: [tag], ...extra(i) }), contactStart);
  contactStart += count;
  return { tag, docs };
}

async function campaignFor(tag: string, patch: Parameters<typeof welcomeOfferInput>[1] = {}) {
  return createCampaign(org.orgId, actor(), welcomeOfferInput(templateId, { audience: { segmentId: null, definition: { match: "all", conditions: [{ field: "tags", op: "has_any", value: [tag] }] } }, ...patch }));
}

async function until(id: ObjectId, check: (c: CampaignDoc) => boolean, timeout = 20_000) {
  await expect.poll(async () => check(await getCampaign(org.orgId, id)), { timeout, interval: 50 }).toBe(true);
  return getCampaign(org.orgId, id);
}

/**
 * A sending campaign whose recipients are materialised with the product's own rules but no send job
 * was dispatched: the tests below play the deliveries themselves.
 */
async function materialised(tag: string) {
  const c = await campaignFor(tag);
  const contacts = await db()("contacts").find({ tags: tag }).toArray();
  const now = new Date();
  const recipients = contacts.map((x) => recipientFor(c, x, { lastSentAt: null, cappedAt: null }, now));
  await db()("campaign_recipients").insertMany(recipients);
  await db()("campaigns").updateOne({ _id: c._id }, { $set: { status: "sending", preparedAt: now, startedAt: now, "counters.targeted": contacts.length, "counters.pending": contacts.length } });
  return getCampaign(org.orgId, c._id);
}

function sentTo(waIds: string[]) {
  return waIds.map((w) => sim.sim.sent(w).filter((t) => t.type === "template").length);
}

describe("a campaign sends each recipient exactly once and counts its funnel exactly", () => {
  it("excludes by reason before sending, sends the rest once, and counts delivered and read from the webhooks", async () => {
    const { tag, docs } = await audience(24, (i) => {
      if (i % 12 === 1) return { consent: { state: "opted_out", marketing: false, changedAt: null, source: "keyword" } };
      if (i % 12 === 2) return { consent: { state: "unknown", marketing: false, changedAt: null, source: null } };
      if (i % 12 === 3) return { consent: { state: "opted_in", marketing: false, changedAt: null, source: "user_preferences_webhook" } };
      if (i % 12 === 4) return { phone: `+1415555${String(1000 + i)}`, identityKey: `+1415555${String(1000 + i)}` };
      return {};
    });
    const c = await campaignFor(tag);
    await startCampaign(org.orgId, actor(), c._id);
    const done = await until(c._id, (x) => x.status === "completed" && x.counters.read === x.counters.sent);
    expect(done.counters).toMatchObject({ targeted: 24, excluded: 8, pending: 0, sent: 16, delivered: 16, read: 16, failed: 0 });
    expect(done.excludedBy).toEqual({ opted_out: 2, not_opted_in: 2, marketing_stopped: 2, us_marketing: 2 });
    const eligible = docs.filter((_, i) => ![1, 2, 3, 4].includes(i % 12));
    expect(sentTo(eligible.map((d) => d.waId!))).toEqual(eligible.map(() => 1));
    expect(sentTo(docs.filter((_, i) => [1, 2, 3].includes(i % 12)).map((d) => d.waId!))).toEqual([0, 0, 0, 0, 0, 0]);
    // The message the customer got, with the contact's first name and the static values.
    expect(sim.sim.sent(eligible[0]!.waId!)[0]!.text).toBe(`Hi Cliente, enjoy 15% off your first order with code SPRING15.`);
    // Priced: 16 delivered Brazilian marketing messages at the default table's BR rate.
    expect(done.counters.costMicros).toBe(16 * 62_500);
    // In each contact's conversation as a template message; a new conversation is not opened in the inbox.
    const m = await db()("messages").findOne({ contactId: eligible[0]!._id, "campaign.campaignId": c._id });
    expect(m).toMatchObject({ type: "template", direction: "outbound", status: "read" });
    const conv = await db()("conversations").findOne({ _id: m!.conversationId });
    expect(conv?.status).toBe("resolved");
  });

  it("counts a reply within 72 hours once and reopens the conversation for the team", async () => {
    const { tag, docs } = await audience(3);
    const c = await campaignFor(tag);
    await startCampaign(org.orgId, actor(), c._id);
    await until(c._id, (x) => x.status === "completed" && x.counters.read === 3);
    await sim.sim.customerSends(docs[0]!.waId!, { type: "text", text: "Is it valid online?" });
    await sim.sim.customerSends(docs[0]!.waId!, { type: "text", text: "And in stores?" });
    const after = await until(c._id, (x) => x.counters.replied >= 1);
    await sim.sim.idle();
    expect((await getCampaign(org.orgId, c._id)).counters.replied).toBe(1);
    expect(after.byVariant.A!.replied).toBe(1);
    const conv = await db()("conversations").findOne({ contactId: docs[0]!._id });
    expect(conv?.status).toBe("open");
    // The contact's timeline says how far the campaign got with each person, linked to it.
    const step = async (i: number) => (await contactProfile(org.orgId, docs[i]!._id)).timeline.find((t) => t.kind === "campaign");
    expect(await step(0)).toMatchObject({ title: `Campaign “${c.name}”: replied`, href: `/campaigns/${c._id.toHexString()}` });
    expect(await step(1)).toMatchObject({ title: `Campaign “${c.name}”: read` });
    // Another organization sees neither the contact nor its campaigns.
    const stranger = await createOrg();
    await expect(contactProfile(stranger.orgId, docs[0]!._id)).rejects.toMatchObject({ code: "not_found" });
  });

  it("handles Meta's errors by code: final, marketing stop, 24 h reschedule, back-off", async () => {
    const { tag, docs } = await audience(4);
    // The order of sends inside a batch is not fixed: give each error to a known number by failing at the status.
    sim.sim.fail({ sendErrors: [131026] });
    const c = await campaignFor(tag);
    await startCampaign(org.orgId, actor(), c._id);
    const done = await until(c._id, (x) => x.status === "completed" && x.counters.read === x.counters.sent);
    expect(done.counters).toMatchObject({ sent: 3, failed: 1, pending: 0 });
    expect(done.failedBy).toEqual({ "131026": 1 });
    const failed = await db()("campaign_recipients").findOne({ campaignId: c._id, status: "failed" });
    expect(failed?.error).toMatchObject({ code: 131026 });
    expect(sentTo(docs.map((d) => d.waId!)).reduce((a, b) => a + b, 0)).toBe(3);

    // Failures that come later, in the status webhook.
    const second = await audience(2);
    sim.sim.fail({ statusFailures: [131050, 131049] });
    const c2 = await campaignFor(second.tag);
    await startCampaign(org.orgId, actor(), c2._id);
    await until(c2._id, (x) => x.counters.failed === 1 && x.counters.sent === 0);
    await sim.sim.idle();
    const rs = await db()("campaign_recipients").find({ campaignId: c2._id }).toArray();
    const stopped = rs.find((r) => r.status === "failed")!;
    const capped = rs.find((r) => r.status === "rescheduled")!;
    expect(stopped.error?.code).toBe(131050);
    expect(capped).toMatchObject({ error: { code: 131049 }, cappedAt: expect.any(Date), nextAttemptAt: expect.any(Date) });
    expect(capped.nextAttemptAt!.getTime() - capped.cappedAt!.getTime()).toBe(24 * 3600_000);
    const stoppedContact = await db()("contacts").findOne({ _id: stopped.contactId });
    expect(stoppedContact?.consent).toMatchObject({ state: "opted_in", marketing: false, source: "meta_error" });
    expect(await db()("consent_events").countDocuments({ contactId: stopped.contactId, channel: "marketing", source: "meta_error" })).toBe(1);
    // Still pending: the capped recipient waits; when the customer writes it is sent at once.
    expect((await getCampaign(org.orgId, c2._id)).status).toBe("sending");
    const cappedWaId = second.docs.find((d) => d._id.equals(capped.contactId))!.waId!;
    await sim.sim.customerSends(cappedWaId, { type: "text", text: "hello?" });
    const finished = await until(c2._id, (x) => x.status === "completed");
    expect(finished.counters).toMatchObject({ sent: 1, failed: 1, pending: 0 });
    expect(sentTo([cappedWaId])).toEqual([2]);

    // The throughput limit (130429) is retried with a back-off, not lost.
    const third = await audience(2);
    sim.sim.fail({ sendErrors: [130429, 130429, 130429] });
    const c3 = await campaignFor(third.tag);
    await startCampaign(org.orgId, actor(), c3._id);
    const recovered = await until(c3._id, (x) => x.status === "completed", 30_000);
    expect(recovered.counters).toMatchObject({ sent: 2, failed: 0 });
    expect(sentTo(third.docs.map((d) => d.waId!))).toEqual([1, 1]);
  });

  it("a failed status counts from the state the recipient is in when it lands, even if the send job recorded its answer after the webhook read it", async () => {
    const { tag } = await audience(1);
    const c = await campaignFor(tag);
    await startCampaign(org.orgId, actor(), c._id);
    await until(c._id, (x) => x.status === "completed" && x.counters.read === 1);
    const r = (await db()("campaign_recipients").findOne({ campaignId: c._id }))!;
    // The webhook read `sending`, then the send job moved it to `sent`: the failure still lands, once.
    expect(await applyFailure(org.orgId, r, ["sending", "sent"], { code: 131026, message: "Undeliverable" }, new Date())).toBe("failed");
    expect(await applyFailure(org.orgId, r, ["sending", "sent"], { code: 131026, message: "Undeliverable" }, new Date())).toBe("none");
    const after = await getCampaign(org.orgId, c._id);
    expect(after.counters).toMatchObject({ sent: 0, failed: 1, pending: 0 });
    expect(after.failedBy).toEqual({ "131026": 1 });
  });

  it("pauses on a paused template (132015) with the reason, and resumes where it stopped", async () => {
    const { tag, docs } = await audience(3);
    sim.sim.fail({ sendErrors: [132015] });
    const c = await campaignFor(tag, { name: "Paused one" });
    await startCampaign(org.orgId, actor(), c._id);
    const paused = await until(c._id, (x) => x.status === "paused");
    expect(paused.pauseReason).toMatch(/paused by Meta for low quality \(132015\)/);
    await expect.poll(async () => db()("campaign_recipients").countDocuments({ campaignId: c._id, status: "sending" })).toBe(0);
    const before = sentTo(docs.map((d) => d.waId!)).reduce((a, b) => a + b, 0);
    await resumeCampaign(org.orgId, actor(), c._id);
    const done = await until(c._id, (x) => x.status === "completed");
    expect(done.counters).toMatchObject({ sent: 3, pending: 0 });
    expect(sentTo(docs.map((d) => d.waId!))).toEqual([1, 1, 1]);
    expect(before).toBeLessThan(3);
  });

  it("a person's pause holds the queue, and cancel drops what was not sent", async () => {
    const { tag } = await audience(40);
    // 8 per batch at 80/s: pausing right away leaves most of the audience queued.
    const c = await campaignFor(tag);
    await startCampaign(org.orgId, actor(), c._id);
    await until(c._id, (x) => x.status === "sending");
    await pauseByPerson(org.orgId, actor(), c._id);
    await expect.poll(async () => db()("campaign_recipients").countDocuments({ campaignId: c._id, status: "sending" })).toBe(0);
    const held = await getCampaign(org.orgId, c._id);
    expect(held.status).toBe("paused");
    expect(held.pauseReason).toBe("Paused by Ada");
    const cancelled = await cancelCampaign(org.orgId, actor(), c._id);
    expect(cancelled.status).toBe("cancelled");
    const queued = await db()("campaign_recipients").countDocuments({ campaignId: c._id, status: "queued" });
    expect(queued).toBe(0);
    const sent = await db()("campaign_recipients").countDocuments({ campaignId: c._id, status: "sent" });
    expect(await db()("campaign_recipients").countDocuments({ campaignId: c._id, status: "cancelled" })).toBe(40 - sent);
    expect(cancelled.counters.pending).toBe(0);
  });
});

describe("a pause or cancel reaches batches already waiting for their moment", () => {
  const waiting = async (count: number, messageId: string) => {
    const { tag, docs } = await audience(count);
    const c = await materialised(tag);
    const ids = (await db()("campaign_recipients").find({ campaignId: c._id }).toArray()).map((r) => r._id.toHexString());
    // The number's schedule is taken for the next second: the batch claims its recipients, then waits.
    await db()("whatsapp_accounts").updateOne({ _id: account._id }, { $set: { sendPacedUntil: Date.now() + 1_000 } });
    const run = campaignSendJob.handle({ orgId: org.orgId.toHexString(), campaignId: c._id.toHexString(), recipientIds: ids }, { messageId, attempt: 1, enqueue });
    await expect.poll(() => db()("campaign_recipients").countDocuments({ campaignId: c._id, status: "sending" })).toBe(count);
    return { c, docs, run };
  };

  it("paused: nothing is sent and the recipients are queued again for the resume", async () => {
    const { c, docs, run } = await waiting(2, "delivery-paused-wait");
    await pauseByPerson(org.orgId, actor(), c._id);
    expect(await run).toMatchObject({ skipped: "paused", released: 2 });
    expect(sentTo(docs.map((d) => d.waId!))).toEqual([0, 0]);
    expect(await db()("campaign_recipients").countDocuments({ campaignId: c._id, status: "queued", claimToken: null })).toBe(2);
    expect((await getCampaign(org.orgId, c._id)).counters.pending).toBe(2);
  });

  it("cancelled: nothing is sent and the recipients leave the pending count", async () => {
    const { c, docs, run } = await waiting(3, "delivery-cancelled-wait");
    await cancelCampaign(org.orgId, actor(), c._id);
    expect(await run).toMatchObject({ skipped: "cancelled", released: 3 });
    expect(sentTo(docs.map((d) => d.waId!))).toEqual([0, 0, 0]);
    expect(await db()("campaign_recipients").countDocuments({ campaignId: c._id, status: "cancelled" })).toBe(3);
    expect((await getCampaign(org.orgId, c._id)).counters.pending).toBe(0);
  });
});

describe("the recipient claim under concurrent and repeated deliveries", () => {
  it("two jobs holding the same recipients send each message once", async () => {
    const { tag, docs } = await audience(6);
    const c = await materialised(tag);
    const ids = (await db()("campaign_recipients").find({ campaignId: c._id, status: "queued" }).toArray()).map((r) => r._id.toHexString());
    const payload = { orgId: org.orgId.toHexString(), campaignId: c._id.toHexString(), recipientIds: ids };
    const ctx = (messageId: string) => ({ messageId, attempt: 1, enqueue });
    const runs = await Promise.allSettled([campaignSendJob.handle(payload, ctx("delivery-1")), campaignSendJob.handle(payload, ctx("delivery-2")), campaignSendJob.handle(payload, ctx("delivery-1"))]);
    // A copy of a delivery running at the same moment finds its sends in flight and asks to be retried later.
    for (const r of runs) if (r.status === "rejected") expect(String(r.reason)).toMatch(/still in doubt; retrying later/);
    await sim.sim.idle();
    expect(sentTo(docs.map((d) => d.waId!)).filter((n) => n > 0).length).toBe(ids.length);
    expect(Math.max(...sentTo(docs.map((d) => d.waId!)))).toBe(1);
    // A redelivery after everything was sent sends nothing.
    await campaignSendJob.handle(payload, ctx("delivery-1"));
    expect(Math.max(...sentTo(docs.map((d) => d.waId!)))).toBe(1);
    const final = await until(c._id, (x) => x.counters.read === ids.length);
    expect(final.counters.sent).toBe(ids.length);
  });

  it("a send whose worker died after Meta accepted it is recognised by its callback data and not sent again", async () => {
    const { tag, docs } = await audience(1);
    const c = await materialised(tag);
    const r = (await db()("campaign_recipients").findOne({ campaignId: c._id }))!;
    // What a worker that died right after Meta's 200 leaves behind: a claim and a pending message, no wamid.
    const messageId = new ObjectId();
    const conversationId = new ObjectId();
    const now = new Date();
    await db()("campaign_recipients").updateOne({ _id: r._id }, { $set: { status: "sending", claimToken: "dead-worker", claimedAt: now, messageId } });
    await db()("messages").insertOne({
      _id: messageId, conversationId, contactId: r.contactId, accountId: account._id, key: `out:campaign:${r._id.toHexString()}`, waMessageId: null, direction: "outbound", sender: "system",
      senderUserId: null, type: "template", text: "x", payload: null, media: null, replyTo: null, reactions: [], edited: null, revokedAt: null, forwarded: "no", status: "pending",
      statusHistory: [{ status: "pending", at: now }], error: null, pricing: null, waConversation: null, sentAt: now, searchTokens: [], campaign: { campaignId: c._id, recipientId: r._id, variant: "A" }, createdAt: now, updatedAt: now,
    });
    // Meta did get it: its statuses carry our message id back.
    const res = await fetch(`${sim.url}/v23.0/${account.phoneNumberId}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${process.env.WHATSAPP_ACCESS_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ messaging_product: "whatsapp", to: docs[0]!.phone, type: "template", template: { name: "welcome_offer", language: { code: "en_US" }, components: [{ type: "body", parameters: [{ type: "text", text: "a" }, { type: "text", text: "b" }, { type: "text", text: "c" }] }] }, biz_opaque_callback_data: messageId.toHexString() }),
    });
    expect(res.status).toBe(200);
    const done = await until(c._id, (x) => x.status === "completed" && x.counters.read === 1);
    expect(done.counters).toMatchObject({ sent: 1, pending: 0 });
    expect((await db()("messages").findOne({ _id: messageId }))?.waMessageId).toMatch(/^wamid\./);
    // The retried delivery of the dead worker finds the message sent: nothing goes out twice.
    await campaignSendJob.handle({ orgId: org.orgId.toHexString(), campaignId: c._id.toHexString(), recipientIds: [r._id.toHexString()] }, { messageId: "dead-worker", attempt: 2, enqueue });
    expect(sentTo([docs[0]!.waId!])).toEqual([1]);
  });

  it("a send whose worker died before calling Meta is sent once its doubt has expired", async () => {
    const { tag, docs } = await audience(1);
    const c = await materialised(tag);
    const r = (await db()("campaign_recipients").findOne({ campaignId: c._id, status: "queued" }))!;
    const payload = { orgId: org.orgId.toHexString(), campaignId: c._id.toHexString(), recipientIds: [r._id.toHexString()] };
    const messageId = new ObjectId();
    const old = new Date(Date.now() - 1000);
    await db()("campaign_recipients").updateOne({ _id: r._id }, { $set: { status: "sending", claimToken: "died-early", claimedAt: old } });
    await db()("messages").insertOne({
      _id: messageId, conversationId: new ObjectId(), contactId: r.contactId, accountId: account._id, key: `out:campaign:${r._id.toHexString()}`, waMessageId: null, direction: "outbound", sender: "system",
      senderUserId: null, type: "template", text: "x", payload: null, media: null, replyTo: null, reactions: [], edited: null, revokedAt: null, forwarded: "no", status: "pending",
      statusHistory: [{ status: "pending", at: old }], error: null, pricing: null, waConversation: null, sentAt: old, searchTokens: [], campaign: { campaignId: c._id, recipientId: r._id, variant: "A" }, createdAt: old, updatedAt: old,
    });
    await campaignSendJob.handle(payload, { messageId: "died-early", attempt: 2, enqueue });
    const done = await until(c._id, (x) => x.status === "completed");
    expect(done.counters).toMatchObject({ sent: 1, pending: 0 });
    expect(sentTo([docs[0]!.waId!])).toEqual([1]);
  });

  it("a job that died between a recipient's transition and its count is made whole by the sweep", async () => {
    const { tag } = await audience(3);
    const c = await materialised(tag);
    // What a worker killed right after its recipients' bulk write leaves: sent, but never counted.
    await db()("campaign_recipients").updateMany({ campaignId: c._id }, { $set: { status: "sent", sentAt: new Date(), deliveredAt: new Date() } });
    expect((await getCampaign(org.orgId, c._id)).counters).toMatchObject({ sent: 0, pending: 3 });
    await campaignsTickJob.handle({}, { messageId: "sweep-1", attempt: 1, enqueue });
    const fixed = await getCampaign(org.orgId, c._id);
    expect(fixed).toMatchObject({ status: "completed", counters: { targeted: 3, sent: 3, delivered: 3, pending: 0 } });
    expect(fixed.byVariant.A).toMatchObject({ sent: 3, delivered: 3 });

    // After completion, a read whose count a crash lost (between the recipient's update and the
    // envelope's bump) is restored once the change is quiet; a campaign counted since is left alone.
    const lost = new Date(Date.now() - 1000);
    await db()("campaigns").updateOne({ _id: c._id }, { $set: { countedAt: new Date(lost.getTime() - 1000) } });
    await db()("campaign_recipients").updateMany({ campaignId: c._id }, { $set: { readAt: lost, updatedAt: lost } });
    await campaignsTickJob.handle({}, { messageId: "sweep-2", attempt: 1, enqueue });
    const restored = await getCampaign(org.orgId, c._id);
    expect(restored.counters).toMatchObject({ sent: 3, delivered: 3, read: 3, pending: 0 });
    expect(restored.countedAt!.getTime()).toBe(restored.updatedAt.getTime());
    await campaignsTickJob.handle({}, { messageId: "sweep-3", attempt: 1, enqueue });
    expect((await getCampaign(org.orgId, c._id)).updatedAt.getTime()).toBe(restored.updatedAt.getTime());
  });
});

describe("the number's shared send schedule", () => {
  it("spaces concurrent batches by their share of the throughput, and restarts from now once idle", async () => {
    const other = await insertSimAccount(org.orgId, "109000000000001");
    // Created first: on a loaded machine this takes longer than the ten batches' schedule lasts.
    const stranger = await createOrg();
    // Ten batches of 8 at 80/s, reserved at once by ten instances: one every 8 / (80 × 0.97) s.
    const starts = (await Promise.all(Array.from({ length: 10 }, async () => (await reserveSendTime(org.orgId, other._id, 8, 80)).startAt))).sort((a, b) => a - b);
    const step = 8000 / (80 * 0.97);
    // Never two batches closer than their share of a second; no more than the first moment's race apart in all.
    starts.slice(1).forEach((s, k) => expect(s - starts[k]!).toBeGreaterThanOrEqual(step - 0.001));
    expect(starts[9]! - starts[0]!).toBeLessThan(9 * step + 100);
    // Another organization cannot move this number's schedule.
    expect((await reserveSendTime(stranger.orgId, other._id, 8, 80)).waitMs).toBe(0);
    // The eleventh batch comes right after the ten (the stranger's call reserved nothing).
    const eleventh = (await reserveSendTime(org.orgId, other._id, 8, 80)).startAt;
    expect(eleventh - starts[9]!).toBeCloseTo(step, 3);
    // Idle (its schedule is in the past): the next batch goes now, not after the old end.
    await db()("whatsapp_accounts").updateOne({ _id: other._id }, { $set: { sendPacedUntil: Date.now() - 5_000 } });
    const fresh = await reserveSendTime(org.orgId, other._id, 8, 80);
    expect(fresh.waitMs).toBe(0);
    expect(Math.abs(fresh.startAt - Date.now())).toBeLessThan(1_000);
  });
});
