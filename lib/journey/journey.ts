import { ObjectId, type Filter } from "mongodb";
import { emitLifecycle } from "@/lib/automation/emit";
import { recordGoalReached } from "@/lib/campaigns/outcomes";
import { ApiError } from "@/lib/api/errors";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { contactLabel, getContact } from "@/lib/contacts/contacts";
import { scoped } from "@/lib/db/scoped";
import type { ContactDoc } from "@/lib/schemas/contact";
import { journeyStageLabels, stageLabels, type JourneyMove, type JourneyMoveResponse, type JourneyStage } from "@/lib/schemas/journey";
import { getSettings } from "@/lib/settings/settings";
import { insightsFor, journeyTouchpoints } from "./insights";

/** Moves kept on a journey (for undo and the contact's history); older ones live in the audit log. */
const MOVES_KEPT = 50;
const TOUCHPOINTS_KEPT = 100;
/** How long a move can be undone, as a merge can. */
export const UNDO_DAYS = 30;

export type MoveSource = JourneyMove["source"];
const label = (s: JourneyStage | null) => (s ? journeyStageLabels[s] : "off the board");

/**
 * Puts a customer in a journey stage (onto the board when they were on none). The contact's copy
 * (`contact.journey`) is the one the board reads, so it is written first and conditionally: a move
 * based on a stage someone else has changed meanwhile is refused with 409 instead of overwriting
 * theirs. Then the journey document (first time in each stage, the move for undo, a touchpoint)
 * and the audit entry go out together.
 */
export async function moveJourneyStage(
  orgId: ObjectId,
  actor: Actor,
  contactId: ObjectId,
  input: { stage: JourneyStage | null; reason?: string | null; expectedStage?: JourneyStage | null },
  source: MoveSource = "person",
): Promise<JourneyMoveResponse> {
  const db = scoped(orgId);
  const contact = await getContact(orgId, contactId);
  const from = contact.journey?.stage ?? null;
  const to = input.stage;
  const name = contactLabel(contact, "This customer");
  if (input.expectedStage !== undefined && input.expectedStage !== from) {
    throw new ApiError("conflict", `${name} is in ${label(from)} now (someone moved them meanwhile); nothing was changed.`);
  }
  if (from === to) return { moveId: null, contactId: contactId.toHexString(), from, to };

  const now = new Date();
  const guard: Filter<ContactDoc> = from ? { _id: contactId, "journey.stage": from } : { _id: contactId, journey: null };
  const written = await db("contacts").updateOne(guard, { $set: { journey: to ? { stage: to, since: now } : null, updatedAt: now } });
  if (written.matchedCount === 0) throw new ApiError("conflict", `${name} was moved by someone else at the same moment; nothing was changed.`);

  const move: JourneyMove = { id: new ObjectId(), from, to, at: now, byId: actor.id, byName: actor.name, source, reason: input.reason ?? null };
  const update: Record<string, unknown> = {
    // Taken off the board by an undo, the journey keeps the last stage the customer was in.
    $set: to ? { stage: to, stageSince: now, updatedAt: now } : { updatedAt: now },
    $push: {
      moves: { $each: [move], $slice: -MOVES_KEPT },
      touchpoints: { $each: [{ type: "stage_changed", at: now, data: { from, to, by: actor.name, source } }], $slice: -TOUCHPOINTS_KEPT },
    },
    $setOnInsert: { _id: new ObjectId(), createdAt: now, lastInteractionAt: null },
  };
  // The first time in a stage stays: stage-to-stage conversion counts who ever got there.
  if (to) update.$min = { [`reached.${to}`]: now };
  await Promise.all([
    db("customer_journeys").updateOne({ contactId }, update, { upsert: true }),
    recordActivity(orgId, actor, {
      action: source === "undo" ? "journey.move_undone" : "journey.stage_changed",
      entityType: "contact",
      entityId: contactId,
      before: { stage: from },
      after: { stage: to, ...(input.reason ? { reason: input.reason } : {}) },
    }),
    emitLifecycle(orgId, "journey_stage_changed", { contactId }, { from, to, source }),
    // A campaign whose goal is this stage converts the customer (an undo is not reaching it).
    to && source !== "undo" ? recordGoalReached(orgId, contactId, { kind: "journey_stage", stage: to }, now) : null,
  ]);
  return { moveId: move.id.toHexString(), contactId: contactId.toHexString(), from, to };
}

/**
 * Undoes one move: the customer goes back where they were (off the board, if that move put them
 * on it). Only while they are still where that move put them, so undoing never overwrites a later
 * move by someone else; and within UNDO_DAYS.
 */
export async function undoJourneyMove(orgId: ObjectId, actor: Actor, contactId: ObjectId, moveId: ObjectId): Promise<JourneyMoveResponse> {
  const journey = await scoped(orgId)("customer_journeys").findOne({ contactId }, { projection: { moves: 1 } });
  const move = journey?.moves?.find((m) => m.id.equals(moveId));
  if (!move) throw new ApiError("not_found", "That move is not in this customer's journey");
  if (move.source === "undo") throw new ApiError("unprocessable_entity", "An undo cannot be undone; move the customer instead");
  if (Date.now() - move.at.getTime() > UNDO_DAYS * 86_400_000) throw new ApiError("unprocessable_entity", `Moves can be undone for ${UNDO_DAYS} days; move the customer instead`);
  return moveJourneyStage(orgId, actor, contactId, { stage: move.from, expectedStage: move.to, reason: null }, "undo");
}

/** The journey shown on a contact's page: stage, since when, and the recent moves (newest first). 404 for no such contact. */
export async function getContactJourney(orgId: ObjectId, contactId: ObjectId) {
  const db = scoped(orgId);
  const [contact, journey, settings] = await Promise.all([
    db("contacts").findOne({ _id: contactId }, { projection: { journey: 1, erasedAt: 1, leadScore: 1, lastInboundAt: 1 } }),
    db("customer_journeys").findOne({ contactId }, { projection: { moves: 1 } }),
    getSettings(orgId),
  ]);
  if (!contact || contact.erasedAt) throw new ApiError("not_found", "Contact not found");
  const stage = contact.journey?.stage ?? null;
  const { touchpoints, awaitingReply } = await journeyTouchpoints(orgId, contactId, journey?.moves ?? []);
  return {
    stage,
    since: contact.journey?.since.toISOString() ?? null,
    labels: stageLabels(settings.journeyStageNames),
    insights: insightsFor(contact, stage, awaitingReply),
    touchpoints,
    moves: (journey?.moves ?? [])
      .slice(-10)
      .reverse()
      .map((m) => ({ id: m.id.toHexString(), from: m.from, to: m.to, at: m.at.toISOString(), by: m.byName, source: m.source, reason: m.reason })),
  };
}
export type ContactJourneyView = Awaited<ReturnType<typeof getContactJourney>>;
