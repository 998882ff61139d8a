import { z } from "zod";
import { idString, objectId, tenantFields } from "./common";
import { journeyStages } from "./journey";
import { segmentGroup, type SegmentGroup } from "./segment";

/**
 * A campaign: one approved template (or an A/B pair) sent to an audience chosen with the contacts'
 * segment definition, minus the exclusions, paced at the number's throughput. Its recipients are
 * materialised once into campaign_recipients (unique per campaign and contact), which is what makes
 * every send exactly-once and every funnel count exact.
 */
export const campaignStatuses = ["draft", "scheduled", "preparing", "sending", "paused", "completed", "cancelled"] as const;
export type CampaignStatus = (typeof campaignStatuses)[number];

/** Why a contact of the audience is not sent to, in the order they are checked (the first that applies is recorded). */
export const exclusionReasons = ["no_number", "opted_out", "not_opted_in", "marketing_stopped", "us_marketing", "recently_capped", "frequency_cap"] as const;
export type ExclusionReason = (typeof exclusionReasons)[number];
export const exclusionLabels: Record<ExclusionReason, string> = {
  no_number: "No WhatsApp number",
  opted_out: "Opted out",
  not_opted_in: "Not opted in",
  marketing_stopped: "Stopped marketing (131050)",
  us_marketing: "US +1 number (marketing not delivered)",
  recently_capped: "Marketing limit hit in the last 24 h (131049)",
  frequency_cap: "Frequency cap",
};

/** Contact fields a variable can read (with their labels); `customFields.<key>` too. */
export const variableFields = { first_name: "First name", name: "Full name", phone: "Phone", email: "Email", company: "Company", language: "Language" } as const;

/** Where a template variable's value comes from for each recipient. */
export const variableSource = z.discriminatedUnion("source", [
  /** A contact field (`name`, `phone`, `email`, `company`, `customFields.<key>`), else the fallback. */
  z.strictObject({ source: z.literal("field"), field: z.string().min(1).max(60), fallback: z.string().max(200).default("") }),
  z.strictObject({ source: z.literal("static"), value: z.string().max(1000) }),
  /** A URL button whose template URL ends in the app's /r/{{1}}: the recipient's click token; the redirect goes to `url`. */
  z.strictObject({ source: z.literal("tracked_link"), url: z.url({ protocol: /^https?$/, error: "must be an http(s) link" }).max(2000) }),
]);
export type VariableSource = z.infer<typeof variableSource>;

export const variantKeys = ["A", "B"] as const;
export type VariantKey = (typeof variantKeys)[number];
/** Recipients kept aside: `control` is never sent (the no-send group); `holdback` waits for the winner. */
export type RecipientVariant = VariantKey | "control" | "holdback";

export const campaignVariant = z.strictObject({
  key: z.enum(variantKeys),
  templateId: idString,
  variables: z.record(z.string().max(40), variableSource).default({}),
  /** Share of the tested audience, percent. */
  weight: z.number().int().min(1).max(100),
});

export const conversionGoal = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("tag"), tag: z.string().trim().toLowerCase().min(1).max(40), windowHours: z.number().int().min(1).max(720).default(72) }),
  /** An event posted through the public API (`POST /api/v1/events`) for the contact. */
  z.strictObject({ kind: z.literal("event"), name: z.string().trim().min(1).max(60), windowHours: z.number().int().min(1).max(720).default(72) }),
  /** The contact is moved into this journey stage (by a person, an automation or the AI). */
  z.strictObject({ kind: z.literal("journey_stage"), stage: z.enum(journeyStages), windowHours: z.number().int().min(1).max(720).default(72) }),
]);
export type ConversionGoal = z.infer<typeof conversionGoal>;

export const winnerRule = z.strictObject({
  metric: z.enum(["reply_rate", "conversion_rate"]),
  afterHours: z.number().int().min(1).max(168),
  /** Percent of the audience that waits for the winner (the rest is split between the variants). */
  holdbackPercent: z.number().int().min(10).max(90),
});
export type WinnerRule = z.infer<typeof winnerRule>;

export const audienceInput = z.strictObject({
  /** A saved segment (its definition is copied when the campaign starts) ... */
  segmentId: idString.nullable().default(null),
  /** ... and/or conditions of its own (lists and tags are conditions too). */
  definition: segmentGroup.nullable().default(null),
});

export const exclusionSettings = z.strictObject({
  /** Skip contacts whose consent is not `opted_in` (Meta requires opt-in; on by default). */
  requireOptIn: z.boolean().default(true),
  /** At most one campaign message per contact in this many days (null: no cap). */
  frequencyCapDays: z.number().int().min(1).max(90).nullable().default(null),
});

export const campaignInput = z.strictObject({
  name: z.string().trim().min(1, "must not be empty").max(120),
  accountId: idString.optional(),
  audience: audienceInput,
  exclusions: exclusionSettings.default({ requireOptIn: true, frequencyCapDays: null }),
  variants: z.array(campaignVariant).min(1, "choose a template").max(2, "at most two variants (A/B)"),
  /** Percent of the audience never sent to, to measure the campaign against. */
  controlPercent: z.number().int().min(0).max(50).default(0),
  winner: winnerRule.nullable().default(null),
  conversion: conversionGoal.nullable().default(null),
});
export type CampaignInput = z.infer<typeof campaignInput>;

export const funnelCounters = z.object({
  targeted: z.number().int(),
  excluded: z.number().int(),
  /** Recipients still to send (queued, being sent, rescheduled); 0 ends the campaign. */
  pending: z.number().int(),
  sent: z.number().int(),
  delivered: z.number().int(),
  read: z.number().int(),
  replied: z.number().int(),
  clicked: z.number().int(),
  converted: z.number().int(),
  failed: z.number().int(),
  /** Delivered, billable messages priced with the settings' table, in millionths of the currency. */
  costMicros: z.number().int(),
});
export type FunnelCounters = z.infer<typeof funnelCounters>;
export const funnelSteps = ["targeted", "excluded", "pending", "sent", "delivered", "read", "replied", "clicked", "converted", "failed", "costMicros"] as const satisfies readonly (keyof FunnelCounters)[];
export const emptyCounters = (): FunnelCounters => Object.fromEntries(funnelSteps.map((k) => [k, 0])) as FunnelCounters;

export const storedVariant = z.object({
  key: z.enum(variantKeys),
  templateId: objectId,
  /** What was approved when the campaign started: name, language, category and components. */
  template: z.object({ name: z.string(), language: z.string(), category: z.string(), parameterFormat: z.enum(["positional", "named"]), components: z.array(z.record(z.string(), z.unknown())) }),
  variables: z.record(z.string(), variableSource),
  weight: z.number().int(),
});
export type StoredVariant = z.infer<typeof storedVariant>;

export const campaignDoc = z.object({
  ...tenantFields,
  name: z.string(),
  accountId: objectId,
  status: z.enum(campaignStatuses),
  audience: z.object({ segmentId: objectId.nullable(), definition: z.custom<SegmentGroup>().nullable() }),
  exclusions: exclusionSettings,
  variants: z.array(storedVariant),
  controlPercent: z.number().int(),
  winner: winnerRule.nullable(),
  /** Set once the winner rule has run: the variant the holdback received. */
  winnerKey: z.enum(variantKeys).nullable(),
  conversion: conversionGoal.nullable(),
  scheduledAt: z.date().nullable(),
  /** Messages per second for this campaign's sends (the number's throughput when it started). */
  ratePerSecond: z.number().int(),
  /** Total, and per variant (`A`, `B`, `control`, `holdback`): kept with $inc by guarded transitions, so exact. */
  counters: funnelCounters,
  byVariant: z.record(z.string(), funnelCounters),
  excludedBy: z.record(z.string(), z.number().int()),
  failedBy: z.record(z.string(), z.number().int()),
  /** Why the campaign was paused (by a person, or by a paused/disabled template). */
  pauseReason: z.string().nullable(),
  /** The materialisation's progress: the last audience contact id written (resumes after a crash). */
  prepareCursor: objectId.nullable(),
  /** The last recount from the recipients (lib/campaigns/counters.ts); the sweep recounts after later changes. */
  countedAt: z.date().nullable().optional(),
  /** The conversions job's last look at goal tags (it only reads contacts changed since). */
  conversionCheckedAt: z.date().nullable().optional(),
  preparedAt: z.date().nullable(),
  startedAt: z.date().nullable(),
  completedAt: z.date().nullable(),
  createdBy: objectId.nullable(),
});
export type CampaignDoc = z.infer<typeof campaignDoc>;

export const recipientStatuses = [
  /** Waiting for its send job. */
  "queued",
  /** Claimed by a send job (claimToken = the delivery id); the message is being sent. */
  "sending",
  /** Meta accepted it; the funnel times below say how far it went. */
  "sent",
  /** Meta's 131049: retried after 24 h or when the customer next writes. */
  "rescheduled",
  "failed",
  "excluded",
  /** The no-send control group. */
  "control",
  /** Waiting for the A/B winner. */
  "holdback",
  "cancelled",
] as const;
export type RecipientStatus = (typeof recipientStatuses)[number];

export const campaignRecipientDoc = z.object({
  ...tenantFields,
  campaignId: objectId,
  contactId: objectId,
  variant: z.enum(["A", "B", "control", "holdback"]),
  status: z.enum(recipientStatuses),
  excludedReason: z.enum(exclusionReasons).nullable(),
  /** Phone (E.164) or business-scoped user id at materialisation. */
  to: z.string().nullable(),
  /** Country by calling code (libphonenumber-js), for pricing. */
  country: z.string().nullable(),
  /** The variable values by slot id, rendered once from the contact. */
  values: z.record(z.string(), z.string()),
  claimToken: z.string().nullable(),
  claimedAt: z.date().nullable(),
  attempts: z.number().int(),
  nextAttemptAt: z.date().nullable(),
  messageId: objectId.nullable(),
  sentAt: z.date().nullable(),
  deliveredAt: z.date().nullable(),
  readAt: z.date().nullable(),
  repliedAt: z.date().nullable(),
  clickedAt: z.date().nullable(),
  convertedAt: z.date().nullable(),
  failedAt: z.date().nullable(),
  /** Meta's message status `held_for_quality_assessment` (pacing), shown until it moves on. */
  heldAt: z.date().nullable(),
  /** When Meta refused it with 131049 (per-user marketing limit): other campaigns skip the contact for 24 h. */
  cappedAt: z.date().nullable(),
  error: z.object({ code: z.number(), message: z.string() }).nullable(),
  /** Conversion by tag: whether the contact already had it when materialised (then it cannot convert). */
  hadGoalTag: z.boolean(),
});
export type CampaignRecipientDoc = z.infer<typeof campaignRecipientDoc>;

/** What a campaign message carries so statuses, replies and clicks find their recipient. */
export const campaignRef = z.object({ campaignId: objectId, recipientId: objectId, variant: z.enum(variantKeys) });
export type CampaignRef = z.infer<typeof campaignRef>;

export const scheduleBody = z.strictObject({ at: z.iso.datetime({ offset: true, error: "must be an ISO date-time" }).nullable() });
export const testSendBody = z.strictObject({ phone: z.string().trim().min(5).max(30), variant: z.enum(variantKeys).default("A") });
export const retargetBody = z.strictObject({ step: z.enum(["sent_not_delivered", "delivered_not_read", "read_not_replied", "replied", "clicked", "not_clicked", "failed", "converted"]) });
export type RetargetStep = z.infer<typeof retargetBody>["step"];
