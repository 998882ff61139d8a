import { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { mergeContacts } from "@/lib/contacts/merge";
import { scoped } from "@/lib/db/scoped";
import { jobRegistry } from "@/lib/jobs/registry";
import { runJob } from "@/lib/jobs/run-job";
import { scoreOrganization } from "@/lib/scoring/nightly-job";
import { scheduleLeadScore } from "@/lib/scoring/score-contact-job";
import { SCORE_HISTORY_LENGTH } from "@/lib/schemas/lead-score";
import { campaignContacts } from "../support/campaign-fixtures";
import { createOrg } from "../support/factories";
import { seedConversation, seedMessage } from "../support/inbox-fixtures";
import { deliver, envelope, orgWithAccount, textMessage } from "../support/whatsapp-webhook";

const DAY = 24 * 3600_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);
let seq = 0;
const scoreJob = (orgId: ObjectId, contactId: ObjectId) =>
  runJob(jobRegistry, "lead-score", { orgId: orgId.toHexString(), contactId: contactId.toHexString() }, { messageId: `score-${++seq}-${contactId}`, attempt: 1 });

/** A contact who asked for a price yesterday after our message, read what we sent and gave an email. */
async function engagedContact(orgId: ObjectId) {
  const conversation = await seedConversation(orgId);
  await scoped(orgId)("contacts").updateOne({ _id: conversation.contactId }, { $set: { email: "lead@example.com", lastInboundAt: ago(1) } });
  await seedMessage(orgId, conversation, { direction: "outbound", status: "read", text: "Our spring offer", sentAt: ago(1.1) });
  await seedMessage(orgId, conversation, { text: "How much for two?", sentAt: ago(1) });
  return conversation;
}

describe("lead scoring storage and jobs", () => {
  it("stores one score per contact with factors, evidence, explanation and a history point, and copies the score onto the contact", async () => {
    const { orgId } = await createOrg();
    const c = await engagedContact(orgId);
    const outcome = await scoreJob(orgId, c.contactId);
    expect(outcome).toMatchObject({ status: "completed" });

    const stored = await scoped(orgId)("lead_scores").find({ contactId: c.contactId }).toArray();
    expect(stored).toHaveLength(1);
    const s = stored[0]!;
    expect(s.score).toBeGreaterThan(0);
    expect(s.explanation).toMatch(new RegExp(`^${s.score} = engagement \\d+ \\+ recency \\d+ \\+ frequency \\d+ \\+ buying intent \\d+ \\+ fit 5$`));
    expect(s.factors.find((f) => f.key === "intent")!.evidence[0]!.text).toBe("Said “How much for two?” (“How much”)");
    expect(s.factors.find((f) => f.key === "engagement")!.evidence.map((e) => e.text)).toEqual([expect.stringMatching(/^1 reply to our messages/), "Read 1 of 1 message delivered (100% by recency)"]);
    expect(s.history).toEqual([{ at: s.computedAt, score: s.score }]);
    expect(s.locked).toBeNull();
    expect((await scoped(orgId)("contacts").findOne({ _id: c.contactId }))!.leadScore).toBe(s.score);

    // Same events, same day: the score is rewritten, the history does not grow.
    await scoreJob(orgId, c.contactId);
    expect((await scoped(orgId)("lead_scores").findOne({ contactId: c.contactId }))!.history).toHaveLength(1);
    // A new event changes the score and adds a point.
    await seedMessage(orgId, c, { direction: "outbound", status: "read", text: "Two are 40 EUR", sentAt: ago(0.5) });
    await seedMessage(orgId, c, { text: "Great, I'll take them", sentAt: ago(0.4) });
    await scoreJob(orgId, c.contactId);
    const after = (await scoped(orgId)("lead_scores").findOne({ contactId: c.contactId }))!;
    expect(after.score).toBeGreaterThan(s.score);
    expect(after.history.map((h) => h.score)).toEqual([s.score, after.score]);
  });

  it("keeps the history bounded to the last points", async () => {
    const { orgId } = await createOrg();
    const c = await engagedContact(orgId);
    await scoreJob(orgId, c.contactId);
    const old = Array.from({ length: SCORE_HISTORY_LENGTH }, (_, i) => ({ at: ago(60 - i), score: i }));
    await scoped(orgId)("lead_scores").updateOne({ contactId: c.contactId }, { $set: { history: old, score: 99 } });
    await scoreJob(orgId, c.contactId);
    const h = (await scoped(orgId)("lead_scores").findOne({ contactId: c.contactId }))!.history;
    expect(h).toHaveLength(SCORE_HISTORY_LENGTH);
    expect(h[0]!.score).toBe(1);
    expect(h.at(-1)!.score).not.toBe(99);
  });

  it("leaves a locked score alone, in lead_scores and on the contact", async () => {
    const { orgId, users } = await createOrg();
    const c = await engagedContact(orgId);
    await scoreJob(orgId, c.contactId);
    const lockedAt = new Date();
    await scoped(orgId)("lead_scores").updateOne({ contactId: c.contactId }, { $set: { score: 7, locked: { by: users.supervisor._id, byName: "supervisor user", at: lockedAt, score: 7 } } });
    await scoped(orgId)("contacts").updateOne({ _id: c.contactId }, { $set: { leadScore: 55 } });
    await scoreJob(orgId, c.contactId);
    await scoreOrganization(orgId, { budgetMs: 60_000 });
    const s = (await scoped(orgId)("lead_scores").findOne({ contactId: c.contactId }))!;
    expect(s).toMatchObject({ score: 7, locked: { by: users.supervisor._id, at: lockedAt }, history: [expect.objectContaining({ score: expect.any(Number) })] });
    expect((await scoped(orgId)("contacts").findOne({ _id: c.contactId }))!.leadScore).toBe(7);
  });

  it("puts the locked number back when a computation that read the score before the lock wrote after it", async () => {
    const { orgId, users } = await createOrg();
    const c = await engagedContact(orgId);
    await scoreJob(orgId, c.contactId);
    const lockedAt = new Date();
    // What such a late write leaves: a lock on 12, and `score` and the contact moved on to another number.
    await scoped(orgId)("lead_scores").updateOne({ contactId: c.contactId }, { $set: { score: 40, locked: { by: users.admin._id, byName: "admin user", at: lockedAt, score: 12 } } });
    await scoped(orgId)("contacts").updateOne({ _id: c.contactId }, { $set: { leadScore: 40 } });
    await scoreJob(orgId, c.contactId);
    expect(await scoped(orgId)("lead_scores").findOne({ contactId: c.contactId })).toMatchObject({ score: 12, locked: { score: 12, at: lockedAt } });
    expect((await scoped(orgId)("contacts").findOne({ _id: c.contactId }))!.leadScore).toBe(12);
  });

  it("scores every contact of the organization in batches, continues after its time budget from the last id, and never touches another organization", async () => {
    const { orgId } = await createOrg();
    const other = await createOrg("Other");
    const contacts = await campaignContacts(orgId, 450, (i) => ({ email: i % 2 ? `c${i}@example.com` : null, lastInboundAt: i % 3 ? ago(i % 30) : null }));
    const foreign = await campaignContacts(other.orgId, 3, () => ({ email: "x@example.com" }));
    // A link click of contact 250 (in the second run): the nightly streams clicks in contact order with the contacts.
    const campaignId = new ObjectId();
    await scoped(orgId)("campaigns").insertOne({ _id: campaignId, name: "Spring", createdAt: new Date(), updatedAt: new Date() } as never);
    await scoped(orgId)("campaign_recipients").insertOne({ _id: new ObjectId(), campaignId, contactId: contacts[250]!._id, status: "sent", clickedAt: ago(1), createdAt: ago(2), updatedAt: ago(1) } as never);
    const erased = await seedConversation(orgId);
    await scoped(orgId)("contacts").updateOne({ _id: erased.contactId }, { $set: { erasedAt: new Date() } });

    const enqueued: { job: string; payload: unknown }[] = [];
    const first = await scoreOrganization(orgId, { budgetMs: 1, enqueue: async (job, payload) => (enqueued.push({ job, payload }), { messageId: "m", deduplicated: false }) });
    // One batch of 200, then the budget is spent: the rest is a follow-up run from the 200th id.
    expect(first).toMatchObject({ scored: 200, batches: 1, continuedAfter: contacts[199]!._id.toHexString() });
    expect(enqueued).toEqual([{ job: "lead-scoring-nightly", payload: { orgId: orgId.toHexString(), after: contacts[199]!._id.toHexString(), budgetMs: 1 } }]);
    const rest = await runJob(jobRegistry, "lead-scoring-nightly", { orgId: orgId.toHexString(), after: contacts[199]!._id.toHexString() }, { messageId: `nightly-${orgId}`, attempt: 1 });
    expect(rest).toEqual({ status: "completed" });

    const scores = await scoped(orgId)("lead_scores").find({}).toArray();
    expect(scores).toHaveLength(450);
    const byContact = new Map(scores.map((s) => [s.contactId.toHexString(), s.score]));
    const stored = await scoped(orgId)("contacts").find({ _id: { $in: contacts.slice(0, 3).map((c) => c._id) } }).toArray();
    for (const c of stored) expect(c.leadScore).toBe(byContact.get(c._id.toHexString()));
    // Contact 1 has an email (fit 5) and wrote a day ago (recency); contact 0 has neither.
    expect(byContact.get(contacts[0]!._id.toHexString())).toBe(0);
    expect(byContact.get(contacts[1]!._id.toHexString())).toBe(5 + Math.round(20 * Math.pow(0.5, 1 / 14)));
    const clicked = (await scoped(orgId)("lead_scores").findOne({ contactId: contacts[250]!._id }))!;
    expect(clicked.factors.find((f) => f.key === "engagement")!.evidence.map((e) => e.text)).toEqual(["1 link click, the latest in campaign “Spring” on " + ago(1).toISOString().slice(0, 10)]);
    expect(await scoped(orgId)("lead_scores").countDocuments({ contactId: erased.contactId })).toBe(0);
    expect(await scoped(other.orgId)("lead_scores").countDocuments({})).toBe(0);
    expect((await scoped(other.orgId)("contacts").findOne({ _id: foreign[0]!._id }))!.leadScore).toBeUndefined();
  });

  it("fans the nightly run out to every organization", async () => {
    const { orgId } = await createOrg();
    const [c] = await campaignContacts(orgId, 1, () => ({ email: "fan@example.com" }));
    const outcome = await runJob(jobRegistry, "lead-scoring-nightly", {}, { messageId: `fanout-${new ObjectId()}`, attempt: 1 });
    expect(outcome).toEqual({ status: "completed" });
    // The fan-out's per-organization runs go through the in-process driver.
    await expect.poll(async () => (await scoped(orgId)("lead_scores").findOne({ contactId: c!._id }))?.score, { timeout: 20_000 }).toBe(5);
  });

  it("schedules a rescore of the surviving contact of a merge (its score then reads both histories)", async () => {
    const { orgId, users } = await createOrg();
    const a = await engagedContact(orgId);
    const b = await seedConversation(orgId);
    const merge = await mergeContacts(orgId, { id: users.admin._id, name: "Ada" }, { survivorId: b.contactId.toHexString(), mergedId: a.contactId.toHexString() });
    // The merge already scheduled the survivor's rescore for the minute it happened (the debounced job runs a minute later).
    expect(await scheduleLeadScore(orgId, b.contactId, merge.createdAt)).toMatchObject({ deduplicated: true });
  });

  it("schedules one debounced rescore per customer from the inbound webhook", async () => {
    const { account } = await orgWithAccount();
    const ts = Math.floor(Date.now() / 1000);
    await deliver(envelope(account, textMessage("14155550123", `wamid.SCORE${ts}`, "What's the price?", ts)), account);
    const contact = (await scoped(account.orgId)("contacts").findOne({ phone: "+14155550123" }))!;
    // The webhook already enqueued this contact's rescore for this minute: a second enqueue is dropped.
    expect(await scheduleLeadScore(account.orgId, contact._id, new Date(ts * 1000))).toMatchObject({ deduplicated: true });
    expect(await scheduleLeadScore(account.orgId, contact._id, new Date(ts * 1000 + 60_000))).toMatchObject({ deduplicated: false });
  });
});
