import { ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { scoped } from "@/lib/db/scoped";
import type { JourneyMoveResponse, JourneyStage } from "@/lib/schemas/journey";
import { getSettings } from "@/lib/settings/settings";
import { moveJourneyStage } from "./journey";

/** Who the audit log names for a move the AI applied on its own. */
export const AI_JOURNEY_ACTOR: Actor = { id: null, name: "AI analyst" };

type Suggestion = { stage: JourneyStage; confidence: number; reason: string; conversationId: ObjectId | null };

export type SuggestionOutcome =
  | { outcome: "applied"; move: JourneyMoveResponse }
  | { outcome: "queued" }
  | { outcome: "unchanged" }
  | { outcome: "skipped"; reason: string };

/**
 * What the analysis agent thinks of a customer's stage. At or above the organization's auto-apply
 * confidence it is a move like any other (source "ai", undoable); below it, or when someone moved
 * the customer meanwhile, it waits on the board for a person. A newer suggestion replaces an older one.
 */
export async function suggestJourneyStage(orgId: ObjectId, contactId: ObjectId, s: Suggestion): Promise<SuggestionOutcome> {
  const db = scoped(orgId);
  const [contact, settings] = await Promise.all([db("contacts").findOne({ _id: contactId }, { projection: { journey: 1, erasedAt: 1 } }), getSettings(orgId)]);
  if (!contact || contact.erasedAt) return { outcome: "skipped", reason: "the contact is gone" };
  const current = contact.journey?.stage ?? null;
  if (current === s.stage) {
    await db("customer_journeys").updateOne({ contactId, "suggestion.at": { $gt: new Date(0) } }, { $set: { suggestion: null } });
    return { outcome: "unchanged" };
  }
  const threshold = settings.journeyAutoApplyConfidence;
  if (threshold !== null && s.confidence >= threshold) {
    try {
      const move = await moveJourneyStage(orgId, AI_JOURNEY_ACTOR, contactId, { stage: s.stage, reason: s.reason, expectedStage: current }, "ai");
      await db("customer_journeys").updateOne({ contactId }, { $set: { suggestion: null } });
      return { outcome: "applied", move };
    } catch (err) {
      // Someone moved them at the same moment: a person decides instead.
      if (!(err instanceof ApiError && err.code === "conflict")) throw err;
    }
  }
  const now = new Date();
  await db("customer_journeys").updateOne(
    { contactId },
    {
      $set: { suggestion: { ...s, confidence: Math.round(s.confidence * 100) / 100, at: now }, updatedAt: now },
      $setOnInsert: { _id: new ObjectId(), createdAt: now, touchpoints: [], lastInteractionAt: null },
    },
    { upsert: true },
  );
  return { outcome: "queued" };
}

/** A person applies the waiting suggestion (a move with the AI's reason) or dismisses it; both audited. */
export async function decideSuggestion(orgId: ObjectId, actor: Actor, contactId: ObjectId, decision: "apply" | "dismiss"): Promise<{ move: JourneyMoveResponse | null }> {
  const db = scoped(orgId);
  const journey = await db("customer_journeys").findOne({ contactId }, { projection: { suggestion: 1 } });
  const s = journey?.suggestion;
  if (!s) throw new ApiError("not_found", "No AI suggestion is waiting for this customer");
  // Only the suggestion the person saw: a newer one that arrived meanwhile stays for review.
  const cleared = await db("customer_journeys").updateOne({ contactId, "suggestion.at": s.at }, { $set: { suggestion: null } });
  if (cleared.modifiedCount === 0) throw new ApiError("conflict", "The suggestion changed meanwhile; look at it again");
  if (decision === "dismiss") {
    await recordActivity(orgId, actor, { action: "journey.suggestion_dismissed", entityType: "contact", entityId: contactId, after: { stage: s.stage, reason: s.reason } });
    return { move: null };
  }
  return { move: await moveJourneyStage(orgId, actor, contactId, { stage: s.stage, reason: `AI suggestion: ${s.reason}` }) };
}
