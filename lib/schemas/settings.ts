import { z } from "zod";
import { objectId } from "./common";
import { journeyStages } from "./journey";
import { defaultLeadScoring, leadScoringConfig } from "./lead-score";

const DEFAULT_HANDOVER_MESSAGE = "Thanks for your patience. I'm passing you to a member of our team, who will reply here.";

const dayHours = z.object({ enabled: z.boolean(), start: z.string().regex(/^\d\d:\d\d$/), end: z.string().regex(/^\d\d:\d\d$/) });
export const weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;

/** Price of one delivered template message per category, in the table's currency. */
const categoryPrices = z.strictObject({
  marketing: z.number().min(0).max(10),
  utility: z.number().min(0).max(10),
  authentication: z.number().min(0).max(10),
});
/**
 * Meta charges per delivered template by category and the recipient's country (since 1 Jul 2025);
 * rates change on quarter starts, so the table is the organization's to keep current. `default`
 * prices countries the table does not list (Meta's "Other" rates).
 */
export const pricingTable = z.strictObject({
  currency: z.string().regex(/^[A-Z]{3}$/, "must be a 3-letter currency code"),
  default: categoryPrices,
  countries: z.record(z.string().regex(/^[A-Z]{2}$/, "countries are ISO 3166 codes such as BR"), categoryPrices),
});
export type PricingTable = z.infer<typeof pricingTable>;
/** Meta's published USD rates for a few markets (2025 rate card, rounded); edit them in Settings. */
export const defaultPricing: PricingTable = {
  currency: "USD",
  default: { marketing: 0.0604, utility: 0.0077, authentication: 0.0077 },
  countries: {
    BR: { marketing: 0.0625, utility: 0.0068, authentication: 0.0315 },
    DE: { marketing: 0.1365, utility: 0.055, authentication: 0.0768 },
    ES: { marketing: 0.0615, utility: 0.02, authentication: 0.0337 },
    GB: { marketing: 0.0529, utility: 0.022, authentication: 0.0358 },
    IN: { marketing: 0.0107, utility: 0.0014, authentication: 0.0014 },
    MX: { marketing: 0.0305, utility: 0.0085, authentication: 0.0239 },
    US: { marketing: 0.025, utility: 0.004, authentication: 0.0135 },
  },
};

/** One settings document per organization (seed 001 SystemSettings, as typed fields instead of key/value rows). */
export const settingsValues = z.object({
  businessHours: z.object({ timezone: z.string(), days: z.record(z.enum(weekdays), dayHours) }),
  autoAssignment: z.boolean(),
  /** An agent's reply to an unassigned conversation assigns it to them (Chatwoot's default). Older documents lack it: on. */
  autoAssignOnReply: z.boolean().default(true),
  maxConversationsPerAgent: z.number().int().min(1).max(500),
  /** Agents see only their own and unassigned conversations unless this widens it. */
  agentsSeeAllConversations: z.boolean(),
  aiEnabled: z.boolean(),
  /** Sent to the customer when the AI hands a conversation to a person; empty sends nothing. Older documents lack it. */
  handoverMessage: z.string().default(DEFAULT_HANDOVER_MESSAGE),
  optOutKeywords: z.array(z.string()),
  optInKeywords: z.array(z.string()),
  optOutConfirmation: z.string(),
  optInConfirmation: z.string(),
  /**
   * Days the retention job keeps each kind of log (seed 002's retention policy: webhook logs 7 days,
   * message logs 30, AI conversations 90). Older documents had one `retentionDays`; the migration
   * (lib/db/migrations.ts) carries it over, and a missing value is the policy's default.
   */
  webhookLogRetentionDays: z.number().int().min(1).max(3650).default(7),
  jobLogRetentionDays: z.number().int().min(1).max(3650).default(30),
  aiRunRetentionDays: z.number().int().min(1).max(3650).default(90),
  /** Meta's per-message prices for the campaign plan and cost (older documents lack it: the defaults). */
  pricing: pricingTable.default(defaultPricing),
  /** Lead scoring weights and decay (lib/scoring, docs/scoring.md); older documents lack it: the defaults. */
  leadScoring: leadScoringConfig.default(defaultLeadScoring),
  /**
   * The AI's journey stage suggestions (lib/journey/suggestions.ts) at or above this confidence are
   * applied at once (and can be undone); below it they wait on the board for a person. Null: never
   * applied without review. Older documents lack it: 0.85.
   */
  journeyAutoApplyConfidence: z.number().min(0).max(1).nullable().default(0.85),
  /** The organization's own names for the journey stages (the stages themselves are fixed); missing: the default name. */
  journeyStageNames: z.partialRecord(z.enum(journeyStages), z.string().trim().min(1, "a stage needs a name").max(40, "has at most 40 characters")).default({}),
});
export type SettingsValues = z.infer<typeof settingsValues>;

export const settingsDoc = settingsValues.extend({ _id: objectId, orgId: objectId, updatedAt: z.date(), updatedBy: objectId.nullable() });
export type SettingsDoc = z.infer<typeof settingsDoc>;

export const defaultSettings: SettingsValues = {
  businessHours: {
    timezone: "UTC",
    days: Object.fromEntries(
      weekdays.map((d) => [d, { enabled: d !== "saturday" && d !== "sunday", start: "09:00", end: "18:00" }]),
    ) as SettingsValues["businessHours"]["days"],
  },
  autoAssignment: true,
  autoAssignOnReply: true,
  maxConversationsPerAgent: 10,
  agentsSeeAllConversations: false,
  aiEnabled: true,
  handoverMessage: DEFAULT_HANDOVER_MESSAGE,
  optOutKeywords: ["STOP", "UNSUBSCRIBE", "STOP ALL", "CANCEL", "BAJA", "ALTO", "CANCELAR"],
  optInKeywords: ["START", "SUBSCRIBE", "UNSTOP", "ALTA"],
  optOutConfirmation: "You have been unsubscribed and will not receive further messages. Reply START to subscribe again.",
  optInConfirmation: "You are subscribed again. Reply STOP at any time to unsubscribe.",
  webhookLogRetentionDays: 7,
  jobLogRetentionDays: 30,
  aiRunRetentionDays: 90,
  pricing: defaultPricing,
  leadScoring: defaultLeadScoring,
  journeyAutoApplyConfidence: 0.85,
  journeyStageNames: {},
};

/** Inbound texts longer than this are never read as a keyword (lib/webhook/consent.ts). */
export const MAX_KEYWORD_LENGTH = 40;
/** "stop", " Stop! ", "BAJA." all mean the keyword: case, spacing and surrounding punctuation are ignored. */
export function normalizeKeyword(text: string): string {
  return text.normalize("NFKC").trim().replace(/^[\p{P}\s]+|[\p{P}\s]+$/gu, "").replace(/\s+/g, " ").toUpperCase();
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time as HH:MM (00:00 to 23:59)");
const dayHoursInput = z
  .strictObject({ enabled: z.boolean(), start: hhmm, end: hhmm })
  .refine((d) => d.start < d.end, { message: "the start must be before the end", path: ["end"] });
export const timeZoneInput = z
  .string()
  .max(64)
  .refine(isTimeZone, "must be a time zone such as Europe/Madrid or UTC")
  // "utc" and "Utc" work too; store the canonical spelling.
  .transform((tz) => new Intl.DateTimeFormat("en", { timeZone: tz }).resolvedOptions().timeZone);
const businessHoursInput = z.strictObject({
  timezone: timeZoneInput,
  days: z.strictObject(Object.fromEntries(weekdays.map((d) => [d, dayHoursInput])) as Record<(typeof weekdays)[number], typeof dayHoursInput>),
});
/** Trimmed, non-empty, at most 50, and duplicates (as the webhook matches them) dropped, keeping the first spelling. */
const keywordList = z
  .array(
    z
      .string()
      .trim()
      .min(1, "a keyword cannot be empty")
      .max(MAX_KEYWORD_LENGTH, `a keyword has at most ${MAX_KEYWORD_LENGTH} characters`)
      .refine((k) => normalizeKeyword(k) !== "", "a keyword needs a letter or digit"),
  )
  .max(50, "at most 50 keywords")
  .transform((list) => list.filter((k, i) => list.findIndex((o) => normalizeKeyword(o) === normalizeKeyword(k)) === i));
const wholeNumber = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
};
const confirmation = z.string().trim().min(1, "is required").max(1024, "has at most 1024 characters");

/** PUT /api/settings: any subset of the settings; businessHours is replaced as a whole. */
export const updateSettingsBody = z
  .strictObject({
    businessHours: businessHoursInput.optional(),
    autoAssignment: z.boolean().optional(),
    autoAssignOnReply: z.boolean().optional(),
    maxConversationsPerAgent: wholeNumber(1, 500).optional(),
    agentsSeeAllConversations: z.boolean().optional(),
    aiEnabled: z.boolean().optional(),
    handoverMessage: z.string().trim().max(1024, "has at most 1024 characters").optional(),
    optOutKeywords: keywordList.optional(),
    optInKeywords: keywordList.optional(),
    optOutConfirmation: confirmation.optional(),
    optInConfirmation: confirmation.optional(),
    webhookLogRetentionDays: wholeNumber(1, 3650).optional(),
    jobLogRetentionDays: wholeNumber(1, 3650).optional(),
    aiRunRetentionDays: wholeNumber(1, 3650).optional(),
    pricing: pricingTable.optional(),
    /** Replaced as a whole (PUT /api/settings/lead-scoring is the page's own door to it). */
    leadScoring: leadScoringConfig.optional(),
    journeyAutoApplyConfidence: z.number().min(0).max(1).nullable().optional(),
    journeyStageNames: z
      .partialRecord(z.enum(journeyStages), z.string().trim().min(1, "a stage needs a name").max(40, "has at most 40 characters"))
      .refine((names) => new Set(Object.values(names).map((n) => n!.toLowerCase())).size === Object.values(names).length, "two stages cannot have the same name")
      .optional(),
  })
  .refine((b) => Object.keys(b).length > 0, "Nothing to update");
export type UpdateSettingsBody = z.infer<typeof updateSettingsBody>;

/** The API's view of the settings: the values and when they last changed, never ids. */
export const settingsResponse = settingsValues.extend({ updatedAt: z.string() });
export type SettingsResponse = z.infer<typeof settingsResponse>;

export function toSettingsResponse(doc: SettingsValues & { updatedAt: Date }): SettingsResponse {
  return settingsResponse.parse({ ...pickSettingsValues(doc), updatedAt: doc.updatedAt.toISOString() });
}

/** Only the setting values of a document (drops _id, orgId, updatedBy and anything unknown). */
export function pickSettingsValues(doc: SettingsValues): SettingsValues {
  return settingsValues.parse(doc);
}
