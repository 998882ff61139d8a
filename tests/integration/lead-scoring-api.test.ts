import type { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { GET as getScore, PUT as putScore } from "@/app/api/contacts/[id]/score/route";
import { GET as listRoute } from "@/app/api/contacts/route";
import { GET as getConfig, PUT as putConfig } from "@/app/api/settings/lead-scoring/route";
import { scoped } from "@/lib/db/scoped";
import { scoreOrganization } from "@/lib/scoring/nightly-job";
import { encodeFilter } from "@/lib/schemas/contact-directory";
import { defaultLeadScoring } from "@/lib/schemas/lead-score";
import type { SegmentGroup } from "@/lib/schemas/segment";
import type { UserDoc } from "@/lib/schemas/user";
import { campaignContacts } from "../support/campaign-fixtures";
import { createOrg, request, routeParams } from "../support/factories";
import { seedConversation, seedMessage } from "../support/inbox-fixtures";

const DAY = 24 * 3600_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);

async function scoredContact(orgId: ObjectId) {
  const c = await seedConversation(orgId);
  await scoped(orgId)("contacts").updateOne({ _id: c.contactId }, { $set: { company: "Acme", lastInboundAt: ago(2) } });
  await seedMessage(orgId, c, { text: "Can I get a quote for 10 units?", sentAt: ago(2) });
  await scoreOrganization(orgId, { budgetMs: 60_000 });
  return c;
}

const score = async (user: UserDoc, contactId: ObjectId) => getScore(await request(user, `/api/contacts/${contactId}/score`), routeParams({ id: contactId.toHexString() }));
const lock = async (user: UserDoc, contactId: ObjectId, body: unknown) =>
  putScore(await request(user, `/api/contacts/${contactId}/score`, { method: "PUT", body }), routeParams({ id: contactId.toHexString() }));

describe("lead score API", () => {
  it("gives a contact's score with its explanation, evidence and history; null before it is scored", async () => {
    const { orgId, users } = await createOrg();
    const c = await scoredContact(orgId);
    const res = await score(users.agent, c.contactId);
    expect(res.status).toBe(200);
    const { score: s } = await res.json();
    expect(s).toMatchObject({ contactId: c.contactId.toHexString(), locked: null, history: [{ at: expect.any(String), score: s.score }] });
    expect(s.explanation).toBe(`${s.score} = ${s.factors.map((f: { key: string; points: number }, i: number) => `${i ? " + " : ""}${f.key === "intent" ? "buying intent" : f.key} ${f.points}`).join("")}`);
    expect(s.factors.find((f: { key: string }) => f.key === "intent").evidence[0]).toEqual({ text: "Said “Can I get a quote for 10 units?” (“quote”)", at: expect.any(String), points: expect.any(Number) });
    expect(s.factors.find((f: { key: string }) => f.key === "fit")).toEqual({ key: "fit", points: 5, max: 10, evidence: [{ text: "Company known (Acme)", at: null, points: 5 }] });
    expect(s).not.toHaveProperty("orgId");

    const fresh = await seedConversation(orgId);
    expect(await (await score(users.viewer, fresh.contactId)).json()).toEqual({ score: null });
  });

  it("answers 404 for another organization's contact, reading and locking alike, and changes nothing there", async () => {
    const mine = await createOrg();
    const theirs = await createOrg("Other");
    const c = await scoredContact(theirs.orgId);
    const notFound = { error: { code: "not_found", message: "Contact not found" } };
    const read = await score(mine.users.admin, c.contactId);
    expect(read.status).toBe(404);
    expect(await read.json()).toEqual(notFound);
    const put = await lock(mine.users.admin, c.contactId, { locked: true });
    expect(put.status).toBe(404);
    expect(await put.json()).toEqual(notFound);
    expect((await scoped(theirs.orgId)("lead_scores").findOne({ contactId: c.contactId }))!.locked).toBeNull();
  });

  it("lets a supervisor lock and unlock a score (audited; the nightly batch leaves a locked one alone) and refuses an agent with 403", async () => {
    const { orgId, users } = await createOrg();
    const c = await scoredContact(orgId);
    const refused = await lock(users.agent, c.contactId, { locked: true });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: { code: "forbidden", message: "Your role does not allow this action" } });

    const res = await lock(users.supervisor, c.contactId, { locked: true });
    expect(res.status).toBe(200);
    const locked = (await res.json()).score;
    expect(locked.locked).toEqual({ by: users.supervisor._id.toHexString(), byName: "supervisor user", at: expect.any(String), score: locked.score });

    // New buying words would raise the score; while locked, the batch does not apply them.
    await seedMessage(orgId, c, { direction: "outbound", status: "read", text: "Sure", sentAt: ago(0.2) });
    await seedMessage(orgId, c, { text: "Great, how do I pay?", sentAt: ago(0.1) });
    await scoreOrganization(orgId, { budgetMs: 60_000 });
    expect((await (await score(users.supervisor, c.contactId)).json()).score.score).toBe(locked.score);

    const unlocked = (await (await lock(users.supervisor, c.contactId, { locked: false })).json()).score;
    expect(unlocked.locked).toBeNull();
    expect(unlocked.score).toBeGreaterThan(locked.score);
    expect((await scoped(orgId)("contacts").findOne({ _id: c.contactId }))!.leadScore).toBe(unlocked.score);
    const audit = await scoped(orgId)("activity_logs").find({ entityId: c.contactId, action: /^contact\.lead_score_/ }, { sort: { at: 1 } }).toArray();
    expect(audit.map((a) => [a.action, a.actorId?.toHexString(), a.after])).toEqual([
      ["contact.lead_score_locked", users.supervisor._id.toHexString(), { leadScore: locked.score, locked: true }],
      ["contact.lead_score_unlocked", users.supervisor._id.toHexString(), { leadScore: unlocked.score, locked: false }],
    ]);
  });

  it("locks an unscored contact by scoring it first, and refuses a body that is not a lock", async () => {
    const { orgId, users } = await createOrg();
    const c = await seedConversation(orgId);
    const res = await lock(users.marketer, c.contactId, { locked: true });
    expect(res.status).toBe(200);
    expect((await res.json()).score).toMatchObject({ locked: { byName: "marketer user" }, history: [expect.any(Object)] });
    const bad = await lock(users.admin, c.contactId, { locked: "yes" });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({ error: { code: "unprocessable_entity", message: expect.stringMatching(/^locked: /) } });
  });
});

describe("lead scoring settings API", () => {
  it("gives an admin the weights and the score distribution, and saves new weights (audited, rescoring everyone)", async () => {
    const { orgId, users } = await createOrg();
    await scoredContact(orgId);
    const res = await getConfig(await request(users.admin, "/api/settings/lead-scoring"), routeParams({}));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.leadScoring).toEqual(defaultLeadScoring);
    expect(body.distribution.scored).toBe(1);
    expect(body.distribution.buckets).toHaveLength(10);
    expect(body.distribution.buckets.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(1);

    const next = { ...defaultLeadScoring, halfLifeDays: 30, fit: { email: 10, company: 0, tags: [{ tag: "vip", points: 15 }] } };
    const put = await putConfig(await request(users.admin, "/api/settings/lead-scoring", { method: "PUT", body: next }), routeParams({}));
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ leadScoring: next, rescoring: true });
    expect((await scoped(orgId)("settings").findOne({}))!.leadScoring).toEqual(next);
    const audit = await scoped(orgId)("activity_logs").findOne({ action: "settings.updated" });
    expect(audit!.after).toEqual({ leadScoring: next });
    // The same weights again: nothing changes, nothing is rescored.
    const again = await putConfig(await request(users.admin, "/api/settings/lead-scoring", { method: "PUT", body: next }), routeParams({}));
    expect((await again.json()).rescoring).toBe(false);
  });

  it("refuses invalid weights with the field named, and every role but admin with 403", async () => {
    const { users } = await createOrg();
    const bad = await putConfig(await request(users.admin, "/api/settings/lead-scoring", { method: "PUT", body: { ...defaultLeadScoring, halfLifeDays: 0 } }), routeParams({}));
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({ error: { code: "unprocessable_entity", message: "halfLifeDays: must be a whole number of days from 1 to 180" } });
    for (const role of ["supervisor", "agent", "marketer", "viewer"] as const) {
      const res = await getConfig(await request(users[role], "/api/settings/lead-scoring"), routeParams({}));
      expect(res.status).toBe(403);
    }
  });
});

describe("lead score in the contacts directory", () => {
  it("sorts by score (highest first, unscored last) across keyset pages, and a segment filters on it", async () => {
    const { orgId, users } = await createOrg();
    const made = await campaignContacts(orgId, 5, (i) => ({ email: i % 2 ? `p${i}@example.com` : null, company: i >= 3 ? "Acme" : null }));
    await scoreOrganization(orgId, { budgetMs: 60_000 });
    const [unscored] = await campaignContacts(orgId, 1, () => ({}), 10);
    // Scores: 0 -> 0, 1 -> 5, 2 -> 0, 3 -> 10, 4 -> 5; ties newest _id first.
    const expected = [made[3], made[4], made[1], made[2], made[0], unscored].map((c) => c!._id.toHexString());

    const seen: string[] = [];
    const scores: (number | null)[] = [];
    let cursor: string | null = null;
    do {
      const res = await listRoute(await request(users.supervisor, `/api/contacts?sort=lead_score&limit=2${cursor ? `&cursor=${cursor}` : ""}`), routeParams({}));
      expect(res.status).toBe(200);
      const page = (await res.json()) as { contacts: { id: string; leadScore: number | null }[]; nextCursor: string | null };
      seen.push(...page.contacts.map((c) => c.id));
      scores.push(...page.contacts.map((c) => c.leadScore));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);
    expect(scores).toEqual([10, 5, 5, 0, 0, null]);

    const hot: SegmentGroup = { match: "all", conditions: [{ field: "leadScore", op: "at_least", value: 5 }] };
    const filtered = await listRoute(await request(users.supervisor, `/api/contacts?sort=lead_score&filter=${encodeFilter(hot)}`), routeParams({}));
    expect(((await filtered.json()) as { contacts: { id: string }[] }).contacts.map((c) => c.id)).toEqual(expected.slice(0, 3));
  });
});
