import type { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { GET as getJourney, PUT as moveRoute } from "@/app/api/contacts/[id]/journey/route";
import { POST as undoRoute } from "@/app/api/contacts/[id]/journey/undo/route";
import { GET as boardRoute } from "@/app/api/journey/route";
import { GET as listRoute } from "@/app/api/contacts/route";
import { PUT as settingsRoute } from "@/app/api/settings/route";
import { getContactPanel } from "@/lib/inbox/contacts";
import { getSettings } from "@/lib/settings/settings";
import { mergeContacts, undoMerge } from "@/lib/contacts/merge";
import { scoped } from "@/lib/db/scoped";
import { createTicket } from "@/lib/tickets/tickets";
import { encodeFilter } from "@/lib/schemas/contact-directory";
import type { JourneyBoard } from "@/lib/schemas/journey";
import type { SegmentGroup } from "@/lib/schemas/segment";
import type { UserDoc } from "@/lib/schemas/user";
import { createOrg, request, routeParams } from "../support/factories";
import { seedConversation, seedMessage } from "../support/inbox-fixtures";

const move = async (user: UserDoc, contactId: ObjectId, body: unknown) =>
  moveRoute(await request(user, `/api/contacts/${contactId}/journey`, { method: "PUT", body }), routeParams({ id: contactId.toHexString() }));
const undo = async (user: UserDoc, contactId: ObjectId, moveId: string) =>
  undoRoute(await request(user, `/api/contacts/${contactId}/journey/undo`, { method: "POST", body: { moveId } }), routeParams({ id: contactId.toHexString() }));
const board = async (user: UserDoc, query = "") => boardRoute(await request(user, `/api/journey${query}`), routeParams({}));
const column = (b: JourneyBoard, stage: string) => b.columns.find((c) => c.stage === stage)!;

async function customer(orgId: ObjectId, name: string) {
  const c = await seedConversation(orgId);
  await scoped(orgId)("contacts").updateOne({ _id: c.contactId }, { $set: { name } });
  return c;
}

describe("customer journey", () => {
  it("moves a customer onto the board and between stages, shows them in their column with time in stage and conversion, and records each move", async () => {
    const { orgId, users } = await createOrg();
    const ana = await customer(orgId, "Ana Costa");
    const ben = await customer(orgId, "Ben Okafor");

    const first = await move(users.supervisor, ana.contactId, { stage: "awareness", expectedStage: null });
    expect(first.status).toBe(200);
    expect((await first.json()).move).toMatchObject({ contactId: ana.contactId.toHexString(), from: null, to: "awareness", moveId: expect.any(String) });
    await move(users.supervisor, ana.contactId, { stage: "interest", expectedStage: "awareness", reason: "Asked for the price list" });
    await move(users.supervisor, ben.contactId, { stage: "awareness" });

    const b = (await (await board(users.viewer)).json()) as JourneyBoard;
    expect(b.columns.map((c) => c.label)).toEqual(["Awareness", "Interest", "Consideration", "Purchase", "Retention"]);
    expect(column(b, "interest")).toMatchObject({ count: 1, cards: [{ name: "Ana Costa", contactId: ana.contactId.toHexString(), conversationId: expect.any(String) }] });
    expect(column(b, "awareness").cards.map((c) => c.name)).toEqual(["Ben Okafor"]);
    // Both reached Awareness, one went on to Interest.
    expect(column(b, "awareness")).toMatchObject({ reachedCount: 2, conversionToNext: 0.5 });
    expect(column(b, "interest").medianDaysInStage).toBeLessThan(0.01);
    expect(column(b, "retention").conversionToNext).toBeNull();

    const journey = (await (await getJourney(await request(users.viewer, "/"), routeParams({ id: ana.contactId.toHexString() }))).json()).journey;
    expect(journey).toMatchObject({ stage: "interest", moves: [{ from: "awareness", to: "interest", by: "supervisor user", reason: "Asked for the price list" }, { from: null, to: "awareness" }] });
    const log = await scoped(orgId)("activity_logs").find({ entityId: ana.contactId, action: "journey.stage_changed" }, { sort: { at: 1 } }).toArray();
    expect(log.map((e) => [e.before, e.after, e.actorName])).toEqual([
      [{ stage: null }, { stage: "awareness" }, "supervisor user"],
      [{ stage: "awareness" }, { stage: "interest", reason: "Asked for the price list" }, "supervisor user"],
    ]);
  });

  it("shows the organization's own stage names on the board and in the inbox panel, and refuses two stages with one name", async () => {
    const { orgId, users } = await createOrg();
    const ana = await customer(orgId, "Ana Costa");
    await move(users.supervisor, ana.contactId, { stage: "interest" });
    const put = async (journeyStageNames: Record<string, string>) =>
      settingsRoute(await request(users.admin, "/api/settings", { method: "PUT", body: { journeyStageNames } }), routeParams({}));
    expect((await put({ interest: "Curious", purchase: "Bought" })).status).toBe(200);
    const b = (await (await board(users.viewer)).json()) as JourneyBoard;
    expect(b.columns.map((c) => c.label)).toEqual(["Awareness", "Curious", "Consideration", "Bought", "Retention"]);
    const panel = await getContactPanel({ ...users.supervisor, settings: await getSettings(orgId) } as Parameters<typeof getContactPanel>[0], ana.contactId);
    expect(panel.journey).toMatchObject({ stage: "interest", label: "Curious" });
    const clash = await put({ interest: "Curious", consideration: "curious" });
    expect(clash.status).toBe(422);
    expect((await clash.json()).error.message).toMatch(/two stages cannot have the same name/);
    // Another organization keeps the default names.
    const other = await createOrg();
    expect(((await (await board(other.users.viewer)).json()) as JourneyBoard).columns[1]!.label).toBe("Interest");
  });

  it("shows a customer's touchpoints (messages, tickets, stage moves) with engagement, churn risk and the next action", async () => {
    const { orgId, users } = await createOrg();
    const ana = await customer(orgId, "Ana Costa");
    await seedMessage(orgId, ana, { direction: "outbound", text: "Our spring catalog", sentAt: new Date(Date.now() - 3 * 3600_000) });
    await seedMessage(orgId, ana, { text: "How much is the blue one?", sentAt: new Date(Date.now() - 3600_000) });
    await createTicket(orgId, { id: users.admin._id, name: "Ada" }, { subject: "Price question", conversationId: ana._id.toHexString() }, "agent");
    await move(users.supervisor, ana.contactId, { stage: "interest" });
    await scoped(orgId)("contacts").updateOne({ _id: ana.contactId }, { $set: { leadScore: 75, lastInboundAt: new Date(Date.now() - 3600_000) } });
    const view = (await (await getJourney(await request(users.viewer, "/"), routeParams({ id: ana.contactId.toHexString() }))).json()).journey;
    expect(view.touchpoints.map((t: { kind: string }) => t.kind)).toEqual(["stage_changed", "ticket_opened", "message_in", "message_out"]);
    expect(view.touchpoints[2]).toMatchObject({ text: "Wrote “How much is the blue one?”", href: `/inbox/${ana._id.toHexString()}` });
    // The customer wrote last: the next action is to answer them.
    expect(view.insights).toMatchObject({ engagement: "high", churnRisk: null, nextAction: "Reply: their last message has no answer yet", daysSinceLastMessage: 0 });

    // A customer who bought and has been quiet for three months is at risk.
    const ben = await customer(orgId, "Ben Okafor");
    await seedMessage(orgId, ben, { direction: "outbound", text: "Thanks for your order", sentAt: new Date(Date.now() - 90 * 24 * 3600_000) });
    await move(users.supervisor, ben.contactId, { stage: "purchase" });
    await scoped(orgId)("contacts").updateOne({ _id: ben.contactId }, { $set: { leadScore: 20, lastInboundAt: new Date(Date.now() - 91 * 24 * 3600_000) } });
    const benView = (await (await getJourney(await request(users.viewer, "/"), routeParams({ id: ben.contactId.toHexString() }))).json()).journey;
    expect(benView.insights).toMatchObject({ engagement: "low", churnRisk: "high", nextAction: expect.stringMatching(/^Win them back/) });
  });

  it("undoes a move, refuses to undo over a later move, and takes a customer off the board when the move put them on it", async () => {
    const { orgId, users } = await createOrg();
    const ana = await customer(orgId, "Ana Costa");
    const onBoard = (await (await move(users.marketer, ana.contactId, { stage: "consideration" })).json()).move;
    const toPurchase = (await (await move(users.marketer, ana.contactId, { stage: "purchase" })).json()).move;

    // Undoing the older move while she is in Purchase would overwrite the later one.
    const stale = await undo(users.marketer, ana.contactId, onBoard.moveId);
    expect(stale.status).toBe(409);
    expect((await stale.json()).error.message).toBe("Ana Costa is in Purchase now (someone moved them meanwhile); nothing was changed.");

    const back = await undo(users.marketer, ana.contactId, toPurchase.moveId);
    expect(back.status).toBe(200);
    expect((await back.json()).move).toMatchObject({ from: "purchase", to: "consideration" });
    expect((await scoped(orgId)("contacts").findOne({ _id: ana.contactId }))!.journey!.stage).toBe("consideration");
    expect(await scoped(orgId)("activity_logs").countDocuments({ entityId: ana.contactId, action: "journey.move_undone" })).toBe(1);

    // Now the first move is the current one again: undoing it takes her off the board.
    expect((await undo(users.marketer, ana.contactId, onBoard.moveId)).status).toBe(200);
    const b = (await (await board(users.marketer)).json()) as JourneyBoard;
    expect(b.columns.every((c) => c.count === 0 && c.cards.length === 0)).toBe(true);
    expect((await scoped(orgId)("contacts").findOne({ _id: ana.contactId }))!.journey).toBeNull();
    // She reached Consideration and Purchase once: conversion keeps counting that.
    expect(column(b, "consideration")).toMatchObject({ reachedCount: 1, conversionToNext: 1 });

    const unknown = await undo(users.marketer, ana.contactId, "0123456789abcdef01234567");
    expect(unknown.status).toBe(404);
  });

  it("refuses a move based on a stage someone else has changed, with the reason, and changes nothing", async () => {
    const { orgId, users } = await createOrg();
    const ana = await customer(orgId, "Ana Costa");
    await move(users.supervisor, ana.contactId, { stage: "interest" });
    const res = await move(users.admin, ana.contactId, { stage: "purchase", expectedStage: "awareness" });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: { code: "conflict", message: "Ana Costa is in Interest now (someone moved them meanwhile); nothing was changed." } });
    expect((await scoped(orgId)("contacts").findOne({ _id: ana.contactId }))!.journey!.stage).toBe("interest");

    // Moving to where they already are changes nothing and says so with a null move.
    const same = await move(users.admin, ana.contactId, { stage: "interest" });
    expect((await same.json()).move).toMatchObject({ moveId: null, from: "interest", to: "interest" });
    const bad = await move(users.admin, ana.contactId, { stage: "won" });
    expect(bad.status).toBe(422);
  });

  it("filters the board with the segment compiler (owner, tag, lead score) and the directory filters by journey stage", async () => {
    const { orgId, users } = await createOrg();
    const ana = await customer(orgId, "Ana Costa");
    const ben = await customer(orgId, "Ben Okafor");
    await scoped(orgId)("contacts").updateOne({ _id: ana.contactId }, { $set: { tags: ["vip"], ownerId: users.agent._id, leadScore: 80 } });
    await scoped(orgId)("contacts").updateOne({ _id: ben.contactId }, { $set: { leadScore: 20 } });
    for (const c of [ana, ben]) await move(users.admin, c.contactId, { stage: "interest" });

    const names = async (definition: SegmentGroup) =>
      column((await (await board(users.admin, `?filter=${encodeFilter(definition)}`)).json()) as JourneyBoard, "interest").cards.map((c) => c.name);
    expect(await names({ match: "all", conditions: [{ field: "tags", op: "has_any", value: ["vip"] }] })).toEqual(["Ana Costa"]);
    expect(await names({ match: "all", conditions: [{ field: "ownerId", op: "is_any_of", value: [users.agent._id.toHexString()] }] })).toEqual(["Ana Costa"]);
    expect(await names({ match: "all", conditions: [{ field: "leadScore", op: "at_most", value: 50 }] })).toEqual(["Ben Okafor"]);
    const filtered = (await (await board(users.admin, `?filter=${encodeFilter({ match: "all", conditions: [{ field: "tags", op: "has_any", value: ["vip"] }] })}`)).json()) as JourneyBoard;
    expect(column(filtered, "interest").count).toBe(1);

    const inInterest = encodeFilter({ match: "all", conditions: [{ field: "journey.stage", op: "is", value: "interest" }] });
    const listed = await (await listRoute(await request(users.admin, `/api/contacts?filter=${inInterest}`), routeParams({}))).json();
    expect(listed.contacts.map((c: { name: string }) => c.name).sort()).toEqual(["Ana Costa", "Ben Okafor"]);
    const unknownStage = encodeFilter({ match: "all", conditions: [{ field: "journey.stage", op: "is", value: "won" }] });
    expect((await listRoute(await request(users.admin, `/api/contacts?filter=${unknownStage}`), routeParams({}))).status).toBe(422);
  });

  it("follows a merge: the survivor takes the merged customer's stage when it had none, and an undo gives it back", async () => {
    const { orgId, users } = await createOrg();
    const survivor = await customer(orgId, "Ana Costa");
    const merged = await customer(orgId, "Ana C.");
    await move(users.admin, merged.contactId, { stage: "consideration" });
    const actor = { id: users.admin._id, name: users.admin.name };
    const record = await mergeContacts(orgId, actor, { survivorId: survivor.contactId.toHexString(), mergedId: merged.contactId.toHexString() });
    const afterMerge = (await (await board(users.admin)).json()) as JourneyBoard;
    expect(column(afterMerge, "consideration").cards.map((c) => c.contactId)).toEqual([survivor.contactId.toHexString()]);

    await undoMerge(orgId, actor, record._id);
    const afterUndo = (await (await board(users.admin)).json()) as JourneyBoard;
    expect(column(afterUndo, "consideration").cards.map((c) => c.contactId)).toEqual([merged.contactId.toHexString()]);
    expect((await scoped(orgId)("contacts").findOne({ _id: survivor.contactId }))!.journey).toBeNull();
  });

  it("keeps organizations apart and roles to their permissions", async () => {
    const mine = await createOrg();
    const theirs = await createOrg("Other");
    const ana = await customer(theirs.orgId, "Ana Costa");
    await move(theirs.users.admin, ana.contactId, { stage: "interest" });

    const notFound = { error: { code: "not_found", message: "Contact not found" } };
    const cross = await move(mine.users.admin, ana.contactId, { stage: "purchase" });
    expect(cross.status).toBe(404);
    expect(await cross.json()).toEqual(notFound);
    expect((await getJourney(await request(mine.users.admin, "/"), routeParams({ id: ana.contactId.toHexString() }))).status).toBe(404);
    const theirMove = (await scoped(theirs.orgId)("customer_journeys").findOne({ contactId: ana.contactId }))!.moves![0]!;
    expect((await undo(mine.users.admin, ana.contactId, theirMove.id.toHexString())).status).toBe(404);
    const myBoard = (await (await board(mine.users.admin)).json()) as JourneyBoard;
    expect(myBoard.columns.every((c) => c.count === 0)).toBe(true);
    expect((await scoped(theirs.orgId)("contacts").findOne({ _id: ana.contactId }))!.journey!.stage).toBe("interest");

    // Agents have no contacts directory, so no board; a viewer sees it but cannot move anyone.
    expect((await board(mine.users.agent)).status).toBe(403);
    const mineAna = await customer(mine.orgId, "Ana Costa");
    expect((await move(mine.users.viewer, mineAna.contactId, { stage: "interest" })).status).toBe(403);
    expect((await board(mine.users.viewer)).status).toBe(200);
  });
});
