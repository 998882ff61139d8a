import type { ObjectId } from "mongodb";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as decideRoute } from "@/app/api/contacts/[id]/journey/suggestion/route";
import { POST as undoRoute } from "@/app/api/contacts/[id]/journey/undo/route";
import { GET as boardRoute } from "@/app/api/journey/route";
import { analysisOutput, analyzeConversation } from "@/lib/ai/analysis-agent";
import { OFFLINE_LABEL, offlineProvider } from "@/lib/ai/offline-provider";
import { scoped } from "@/lib/db/scoped";
import type { JourneyBoard } from "@/lib/schemas/journey";
import type { UserDoc } from "@/lib/schemas/user";
import { updateSettings } from "@/lib/settings/settings";
import { createOrg, request, routeParams } from "../support/factories";
import { useOfflineAi } from "../support/fake-gemini-env";
import { seedConversation, seedMessage } from "../support/inbox-fixtures";

beforeAll(() => useOfflineAi());

const board = async (user: UserDoc) => (await (await boardRoute(await request(user, "/api/journey"), routeParams({}))).json()) as JourneyBoard;
const decide = async (user: UserDoc, contactId: ObjectId, decision: string) =>
  decideRoute(await request(user, `/api/contacts/${contactId}/journey/suggestion`, { method: "POST", body: { decision } }), routeParams({ id: contactId.toHexString() }));

/** A customer asking about prices: the offline analyst reads "consideration" at 60% confidence. */
async function pricingQuestion(orgId: ObjectId, name: string) {
  const c = await seedConversation(orgId);
  await scoped(orgId)("contacts").updateOne({ _id: c.contactId }, { $set: { name } });
  await seedMessage(orgId, c, { text: "How much does the pro plan cost per month?" });
  return c;
}
const reason = `${OFFLINE_LABEL} The customer is asking about prices or terms (“How much”).`;

describe("the offline analyst's journey stage", () => {
  it("reads the latest stage the customer's words show, with the words as evidence", async () => {
    const stageOf = async (text: string) => {
      const res = await offlineProvider.generate({ model: "", system: "", temperature: 0, maxOutputTokens: 500, responseSchema: analysisOutput, messages: [{ role: "user", parts: [{ type: "text", text: `## Conversation (oldest first)\nCustomer: ${text}` }] }] });
      return res.json.journey;
    };
    expect(await stageOf("Hello there")).toMatchObject({ stage: "awareness", confidence: 0.6 });
    expect(await stageOf("Do you ship to Canada?")).toMatchObject({ stage: "interest" });
    expect(await stageOf("What is the price of the large one?")).toMatchObject({ stage: "consideration", reason: `${OFFLINE_LABEL} The customer is asking about prices or terms (“price”).` });
    expect(await stageOf("I paid this morning, here is the receipt")).toMatchObject({ stage: "purchase" });
    expect(await stageOf("The one I bought is broken, I want a refund")).toMatchObject({ stage: "retention" });
  });
});

describe("the AI's journey stage suggestions", () => {
  it("below the confidence setting a suggestion waits on the board; applying it moves the customer with the AI's reason", async () => {
    const { orgId, users } = await createOrg();
    const c = await pricingQuestion(orgId, "Ana Costa");
    expect((await analyzeConversation(orgId, c._id)).outcome).toBe("analysed");

    expect((await scoped(orgId)("contacts").findOne({ _id: c.contactId }))!.journey ?? null).toBeNull();
    const { suggestions } = await board(users.viewer);
    expect(suggestions).toEqual([{ contactId: c.contactId.toHexString(), name: "Ana Costa", from: null, to: "consideration", confidence: 0.6, reason, conversationId: c._id.toHexString(), at: expect.any(String) }]);

    // A viewer may look, not decide.
    expect((await decide(users.viewer, c.contactId, "apply")).status).toBe(403);
    const res = await decide(users.supervisor, c.contactId, "apply");
    expect(res.status).toBe(200);
    expect((await res.json()).move).toMatchObject({ from: null, to: "consideration" });
    const after = await board(users.viewer);
    expect(after.suggestions).toEqual([]);
    expect(after.columns.find((col) => col.stage === "consideration")!.cards.map((card) => card.name)).toEqual(["Ana Costa"]);
    const journey = (await scoped(orgId)("customer_journeys").findOne({ contactId: c.contactId }))!;
    expect(journey.moves!.at(-1)).toMatchObject({ byName: "supervisor user", source: "person", reason: `AI suggestion: ${reason}` });

    // Nothing waits any more: a second decision is a 404 with a reason.
    const again = await decide(users.supervisor, c.contactId, "dismiss");
    expect(again.status).toBe(404);
    expect((await again.json()).error.message).toBe("No AI suggestion is waiting for this customer");
  });

  it("a dismissed suggestion leaves the customer where they are and is audited", async () => {
    const { orgId, users } = await createOrg();
    const c = await pricingQuestion(orgId, "Ben Okafor");
    await analyzeConversation(orgId, c._id);
    expect((await decide(users.marketer, c.contactId, "dismiss")).status).toBe(200);
    expect((await board(users.marketer)).suggestions).toEqual([]);
    expect((await scoped(orgId)("contacts").findOne({ _id: c.contactId }))!.journey ?? null).toBeNull();
    expect(await scoped(orgId)("activity_logs").countDocuments({ action: "journey.suggestion_dismissed", entityId: c.contactId, actorId: users.marketer._id })).toBe(1);
  });

  it("at or above the setting the AI moves the customer itself, as automation, undoably; set to never, it always asks", async () => {
    const { orgId, users } = await createOrg();
    const admin = { id: users.admin._id, name: users.admin.name };
    await updateSettings(orgId, { journeyAutoApplyConfidence: 0.6 }, admin);
    const c = await pricingQuestion(orgId, "Chloé Martin");
    await analyzeConversation(orgId, c._id);

    expect((await scoped(orgId)("contacts").findOne({ _id: c.contactId }))!.journey!.stage).toBe("consideration");
    expect((await board(users.admin)).suggestions).toEqual([]);
    const journey = (await scoped(orgId)("customer_journeys").findOne({ contactId: c.contactId }))!;
    const move = journey.moves!.at(-1)!;
    expect(move).toMatchObject({ source: "ai", byId: null, byName: "AI analyst", reason });
    const entry = (await scoped(orgId)("activity_logs").findOne({ action: "journey.stage_changed", entityId: c.contactId }))!;
    expect(entry).toMatchObject({ actorId: null, actorName: "AI analyst", after: { stage: "consideration", reason } });
    const undone = await undoRoute(await request(users.supervisor, "/", { method: "POST", body: { moveId: move.id.toHexString() } }), routeParams({ id: c.contactId.toHexString() }));
    expect(undone.status).toBe(200);
    expect((await scoped(orgId)("contacts").findOne({ _id: c.contactId }))!.journey).toBeNull();

    await updateSettings(orgId, { journeyAutoApplyConfidence: null }, admin);
    await analyzeConversation(orgId, c._id);
    expect((await board(users.admin)).suggestions.map((s) => s.to)).toEqual(["consideration"]);
    expect((await scoped(orgId)("contacts").findOne({ _id: c.contactId }))!.journey).toBeNull();
  });

  it("keeps another organization's suggestions out of reach", async () => {
    const mine = await createOrg();
    const theirs = await createOrg("Other");
    const c = await pricingQuestion(theirs.orgId, "Ana Costa");
    await analyzeConversation(theirs.orgId, c._id);
    expect((await board(mine.users.admin)).suggestions).toEqual([]);
    const res = await decide(mine.users.admin, c.contactId, "apply");
    expect(res.status).toBe(404);
    expect((await board(theirs.users.admin)).suggestions).toHaveLength(1);
  });
});
