import { z } from "zod";
import { idString, objectId, tenantFields } from "./common";

/** Seed 000 customer_journey's stages, in order: the board's columns left to right. */
export const journeyStages = ["awareness", "interest", "consideration", "purchase", "retention"] as const;
export const journeyStage = z.enum(journeyStages);
export type JourneyStage = z.infer<typeof journeyStage>;

/** An organization's names for the stages: its own where it set one, else the default. */
export function stageLabels(names: Partial<Record<JourneyStage, string>> | null | undefined): Record<JourneyStage, string> {
  return Object.fromEntries(journeyStages.map((s) => [s, names?.[s] || journeyStageLabels[s]])) as Record<JourneyStage, string>;
}

export const journeyStageLabels: Record<JourneyStage, string> = {
  awareness: "Awareness",
  interest: "Interest",
  consideration: "Consideration",
  purchase: "Purchase",
  retention: "Retention",
};

/** Who moved a customer and why: a person (by hand, on the board), an automation or the AI. */
export const journeyMoveSource = z.enum(["person", "automation", "ai", "undo"]);

/** One stage change, kept on the journey (the last 50) so a move can be undone and conversion counted. */
export const journeyMove = z.object({
  id: objectId,
  from: journeyStage.nullable(),
  /** Null: an undo took the customer off the board. */
  to: journeyStage.nullable(),
  at: z.date(),
  byId: objectId.nullable(),
  byName: z.string(),
  source: journeyMoveSource,
  reason: z.string().nullable(),
});
export type JourneyMove = z.infer<typeof journeyMove>;

/**
 * One per contact (unique): seed 000 customer_journey. `reached` holds the first time the customer
 * entered each stage, so stage-to-stage conversion is one $group over the organization; the current
 * stage is also copied onto the contact (`contact.journey`) so the board and segments read contacts only.
 */
export const customerJourneyDoc = z.object({
  ...tenantFields,
  contactId: objectId,
  /** The stage the customer is or last was in; missing: an AI suggestion came before any placement. */
  stage: journeyStage.optional(),
  stageSince: z.date().optional(),
  reached: z.partialRecord(journeyStage, z.date()).optional(),
  moves: z.array(journeyMove).optional(),
  touchpoints: z.array(z.object({ type: z.string(), at: z.date(), data: z.record(z.string(), z.unknown()) })),
  lastInteractionAt: z.date().nullable(),
  /** The AI's pending stage suggestion, below the auto-apply confidence: waits for a person. Missing or null: none. */
  suggestion: z
    .object({ stage: journeyStage, confidence: z.number(), reason: z.string(), conversationId: objectId.nullable(), at: z.date() })
    .nullable()
    .optional(),
});
export type CustomerJourneyDoc = z.infer<typeof customerJourneyDoc>;

/** The stage as the contact carries it (see customerJourneyDoc). Missing: not on the board. */
export const contactJourney = z.object({ stage: journeyStage, since: z.date() });

// --- API shapes ---

export const moveJourneyBody = z.strictObject({
  stage: journeyStage,
  reason: z.string().trim().max(300).nullable().optional(),
  /**
   * The stage the person saw the card in: a move is refused (409) when someone else moved the
   * customer meanwhile, instead of silently overwriting their move. Null: not on the board yet.
   */
  expectedStage: journeyStage.nullable().optional(),
});
export type MoveJourneyBody = z.infer<typeof moveJourneyBody>;

export const undoJourneyBody = z.strictObject({ moveId: idString });

export const journeyCard = z.object({
  contactId: idString,
  name: z.string(),
  phone: z.string().nullable(),
  tags: z.array(z.string()),
  ownerId: idString.nullable(),
  leadScore: z.number().nullable(),
  since: z.string(),
  /** The customer's most recent conversation, to open in the inbox. */
  conversationId: idString.nullable(),
});
export type JourneyCard = z.infer<typeof journeyCard>;

export const journeyColumn = z.object({
  stage: journeyStage,
  label: z.string(),
  /** How many customers are in the stage (with the filter), capped at COLUMN_COUNT_CAP. */
  count: z.number(),
  cards: z.array(journeyCard),
  /** Median days the shown customers have been in the stage; null when the column is empty. */
  medianDaysInStage: z.number().nullable(),
  /** Of the customers who ever reached this stage, the share who went on to reach the next one (null for the last stage or none reached). */
  conversionToNext: z.number().nullable(),
  reachedCount: z.number(),
});
/** An AI suggestion waiting for review, as the board lists it. */
export const journeySuggestion = z.object({
  contactId: idString,
  name: z.string(),
  from: journeyStage.nullable(),
  to: journeyStage,
  confidence: z.number(),
  reason: z.string(),
  conversationId: idString.nullable(),
  at: z.string(),
});
export type JourneySuggestion = z.infer<typeof journeySuggestion>;

export const journeyBoard = z.object({ columns: z.array(journeyColumn), suggestions: z.array(journeySuggestion) });
export type JourneyBoard = z.infer<typeof journeyBoard>;

export const journeyMoveResponse = z.object({
  /** Null: the customer was already there, nothing changed. */
  moveId: idString.nullable(),
  contactId: idString,
  from: journeyStage.nullable(),
  to: journeyStage.nullable(),
});
export type JourneyMoveResponse = z.infer<typeof journeyMoveResponse>;

export const decideSuggestionBody = z.strictObject({ decision: z.enum(["apply", "dismiss"]) });
