import { z } from "zod";
import { idString, objectId, tenantFields } from "./common";
import { tagName } from "./contact";

/**
 * Explainable lead scoring (docs/scoring.md). The configuration lives in the organization's
 * settings document (`leadScoring`); each factor's number is the most points it can give, so the
 * defaults add up to 100 and an admin reads the weights as "out of 100".
 */
const points = (max: number) => {
  const message = `must be a whole number from 0 to ${max}`;
  return z.number({ error: message }).int(message).min(0, message).max(max, message);
};
const fitPoints = z.number({ error: "must be a whole number from -50 to 50" }).int("must be a whole number from -50 to 50").min(-50, "must be a whole number from -50 to 50").max(50, "must be a whole number from -50 to 50");

export const leadScoringConfig = z.strictObject({
  /** Days after which an event counts half: every event-based factor decays by it. */
  halfLifeDays: z.number({ error: "must be a whole number of days from 1 to 180" }).int("must be a whole number of days from 1 to 180").min(1, "must be a whole number of days from 1 to 180").max(180, "must be a whole number of days from 1 to 180"),
  engagement: z.strictObject({ replies: points(100), readRate: points(100), clicks: points(100) }),
  recency: points(100),
  frequency: points(100),
  intent: points(100),
  fit: z.strictObject({
    email: fitPoints,
    company: fitPoints,
    /** A tag on the contact adds (or, negative, takes) points: "vip" +10, "churned" -20. */
    tags: z
      .array(z.strictObject({ tag: tagName, points: fitPoints }))
      .max(20, "at most 20 tag rules")
      .refine((rules) => new Set(rules.map((r) => r.tag)).size === rules.length, "each tag has one rule"),
  }),
});
export type LeadScoringConfig = z.infer<typeof leadScoringConfig>;

export const defaultLeadScoring: LeadScoringConfig = {
  halfLifeDays: 14,
  engagement: { replies: 15, readRate: 10, clicks: 10 },
  recency: 20,
  frequency: 15,
  intent: 20,
  fit: { email: 5, company: 5, tags: [] },
};

export const factorKeys = ["engagement", "recency", "frequency", "intent", "fit"] as const;
export type FactorKey = (typeof factorKeys)[number];

/** One piece of evidence behind a factor: what happened, when, and (for intent) the customer's words. */
export const scoreEvidence = z.object({
  text: z.string(),
  at: z.date().nullable(),
  points: z.number(),
});
export const scoreFactor = z.object({
  key: z.enum(factorKeys),
  points: z.number(),
  /** The most this factor can give (fit: the sum of its positive rules). */
  max: z.number(),
  evidence: z.array(scoreEvidence),
});
export type ScoreFactor = z.infer<typeof scoreFactor>;
export type ScoreEvidence = z.infer<typeof scoreEvidence>;

/** How many points the history keeps (one per computation that changed the score, or per day). */
export const SCORE_HISTORY_LENGTH = 30;

/** One per contact (unique orgId + contactId): seed 000 lead_scoring, filled by lib/scoring. */
export const leadScoreDoc = z.object({
  ...tenantFields,
  contactId: objectId,
  score: z.number().int().min(0).max(100),
  factors: z.array(scoreFactor),
  /** "82 = engagement 30 + recency 20 + …" */
  explanation: z.string(),
  computedAt: z.date(),
  history: z.array(z.object({ at: z.date(), score: z.number() })),
  /**
   * A person fixed the score: jobs recompute nothing while it is set, and `score` here is the
   * number they locked (what every reader shows while locked, docs/scoring.md "Locking").
   */
  locked: z.object({ by: objectId, byName: z.string(), at: z.date(), score: z.number() }).nullable(),
});
export type LeadScoreDoc = z.infer<typeof leadScoreDoc>;

// --- API shapes ---

export const leadScoreResponse = z.object({
  contactId: idString,
  score: z.number(),
  explanation: z.string(),
  factors: z.array(scoreFactor.extend({ evidence: z.array(scoreEvidence.extend({ at: z.string().nullable() })) })),
  computedAt: z.string(),
  history: z.array(z.object({ at: z.string(), score: z.number() })),
  locked: z.object({ by: idString, byName: z.string(), at: z.string(), score: z.number() }).nullable(),
});
export type LeadScoreResponse = z.infer<typeof leadScoreResponse>;

export const lockScoreBody = z.strictObject({ locked: z.boolean() });

export const scoreDistribution = z.object({
  /** Ten buckets: 0–9, 10–19, … 90–100. */
  buckets: z.array(z.object({ from: z.number(), to: z.number(), count: z.number() })),
  scored: z.number(),
  locked: z.number(),
});
export type ScoreDistribution = z.infer<typeof scoreDistribution>;

export const factorLabels: Record<FactorKey, string> = {
  engagement: "Engagement",
  recency: "Recency",
  frequency: "Frequency",
  intent: "Buying intent",
  fit: "Fit",
};
