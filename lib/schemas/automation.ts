import { z } from "zod";
import { idString, objectId, tenantFields } from "./common";
import { conversationStatuses, priorities } from "./conversation";
import { journeyStages } from "./journey";
import { segmentCondition, type SegmentCondition } from "./segment";

// ---- what a trigger listens for (seed 000 `triggers.type`) ---------------------------------------

export const lifecycleEvents = ["contact_created", "conversation_resolved", "journey_stage_changed", "consent_changed", "lead_score_crossed"] as const;
export type LifecycleEvent = (typeof lifecycleEvents)[number];

export const behaviorEvents = ["campaign_delivered", "campaign_read", "campaign_clicked", "campaign_replied", "messages_in_period"] as const;
export type BehaviorEvent = (typeof behaviorEvents)[number];

export const triggerWhen = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("conversation_pattern"),
    /** Whole words or phrases, any of them, case- and accent-insensitive ("price" matches "Price?"). */
    keywords: z.array(z.string().trim().min(1).max(80)).max(50).default([]),
    /** A regular expression over the message text (JavaScript syntax, case-insensitive). */
    regex: z.string().max(200).nullable().default(null),
    /** The AI analysis found this intent (snake_case, as the analysis agent names them). */
    intent: z.string().trim().max(60).nullable().default(null),
    sentiment: z.enum(["negative", "neutral", "positive"]).nullable().default(null),
  }),
  z.strictObject({
    type: z.literal("lifecycle"),
    event: z.enum(lifecycleEvents),
    /** journey_stage_changed: only into this stage. */
    stage: z.enum(journeyStages).nullable().default(null),
    /** lead_score_crossed: fires when the score goes from below to at or above this. */
    threshold: z.number().int().min(0).max(100).nullable().default(null),
    /** consent_changed: only this direction. */
    consent: z.enum(["opted_in", "opted_out"]).nullable().default(null),
  }),
  z.strictObject({
    type: z.literal("time_based"),
    /** The customer has not written for this long after their last message (checked once per silence). */
    inactivityMinutes: z.number().int().min(1).max(60 * 24 * 30).nullable().default(null),
    /** Or a schedule: five-field cron in the organization's time zone; each run covers every contact matching the conditions. */
    cron: z.string().trim().max(100).nullable().default(null),
  }),
  z.strictObject({
    type: z.literal("behavior"),
    event: z.enum(behaviorEvents),
    /** Campaign events: only this campaign's (null: any campaign). */
    campaignId: idString.nullable().default(null),
    /** messages_in_period: fires on the customer's count-th message within periodHours. */
    count: z.number().int().min(2).max(1000).nullable().default(null),
    periodHours: z.number().int().min(1).max(24 * 90).nullable().default(null),
  }),
]);
export type TriggerWhen = z.infer<typeof triggerWhen>;
export type TriggerType = TriggerWhen["type"];

// ---- conditions ---------------------------------------------------------------------------------

/**
 * Conditions are segment definitions (one compiler, lib/contacts/segments/compile.ts) whose fields
 * may also be these facts of the event: AND/OR groups over contact fields, tags, saved segments,
 * the conversation, the message, the AI's reading and business hours.
 */
export const contextFields = {
  segment: { label: "In saved segment", type: "lists" },
  "conversation.status": { label: "Conversation status", type: "enum", values: conversationStatuses },
  "conversation.priority": { label: "Conversation priority", type: "enum", values: priorities },
  "message.text": { label: "Message text", type: "text" },
  "ai.intents": { label: "AI intent", type: "tags" },
  "ai.sentiment": { label: "AI sentiment (-1 to 1)", type: "number" },
  businessHours: { label: "Within business hours", type: "boolean" },
} as const;

export type ConditionGroup = { match: "all" | "any"; conditions: (SegmentCondition | ConditionGroup)[] };
export const conditionGroup: z.ZodType<ConditionGroup> = z.lazy(() =>
  z.strictObject({ match: z.enum(["all", "any"]), conditions: z.array(z.union([segmentCondition, conditionGroup])).max(50) }),
);

// ---- steps --------------------------------------------------------------------------------------

export type Step =
  | { kind: "send_message"; text: string; templateId: string | null }
  | { kind: "add_tags"; tags: string[] }
  | { kind: "remove_tags"; tags: string[] }
  | { kind: "assign"; userId: string | null }
  | { kind: "set_priority"; priority: (typeof priorities)[number] }
  | { kind: "set_status"; status: "open" | "waiting" | "resolved" }
  | { kind: "set_stage"; stage: (typeof journeyStages)[number] }
  | { kind: "set_field"; key: string; value: string }
  | { kind: "create_ticket"; subject: string; priority: "low" | "normal" | "high" | "urgent" }
  | { kind: "call_webhook"; label: string }
  | { kind: "run_agent" }
  | { kind: "wait"; minutes: number }
  | { kind: "wait_for_reply"; minutes: number; replied: Step[]; timeout: Step[] };

const tagList = z.array(z.string().trim().toLowerCase().min(1).max(50)).min(1, "add at least one tag").max(20);

export const step: z.ZodType<Step, Step> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    /** Free text inside the 24-hour window; outside it the template (when set), else the step is skipped with the reason. */
    z.strictObject({ kind: z.literal("send_message"), text: z.string().trim().max(4096).default(""), templateId: idString.nullable().default(null) }),
    z.strictObject({ kind: z.literal("add_tags"), tags: tagList }),
    z.strictObject({ kind: z.literal("remove_tags"), tags: tagList }),
    /** A team member, or null for the organization's round-robin auto-assignment. */
    z.strictObject({ kind: z.literal("assign"), userId: idString.nullable() }),
    z.strictObject({ kind: z.literal("set_priority"), priority: z.enum(priorities) }),
    z.strictObject({ kind: z.literal("set_status"), status: z.enum(["open", "waiting", "resolved"]) }),
    z.strictObject({ kind: z.literal("set_stage"), stage: z.enum(journeyStages) }),
    z.strictObject({ kind: z.literal("set_field"), key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, "a custom field key like plan_type"), value: z.string().max(500) }),
    z.strictObject({ kind: z.literal("create_ticket"), subject: z.string().trim().min(1).max(200), priority: z.enum(["low", "normal", "high", "urgent"]).default("normal") }),
    /** An `automation.webhook` event to the organization's subscribed endpoints (signed, retried, logged). */
    z.strictObject({ kind: z.literal("call_webhook"), label: z.string().trim().min(1, "name what the webhook is for").max(100) }),
    /** The conversation AI agent answers the customer's latest message now, within its guardrails. */
    z.strictObject({ kind: z.literal("run_agent") }),
    z.strictObject({ kind: z.literal("wait"), minutes: z.number().int().min(1).max(60 * 24 * 30) }),
    z.strictObject({
      kind: z.literal("wait_for_reply"),
      minutes: z.number().int().min(1).max(60 * 24 * 30),
      replied: z.array(step).max(20).default([]),
      timeout: z.array(step).max(20).default([]),
    }),
  ]),
) as z.ZodType<Step, Step>;

export const stepKindLabels: Record<Step["kind"], string> = {
  send_message: "Send a message",
  add_tags: "Add tags",
  remove_tags: "Remove tags",
  assign: "Assign",
  set_priority: "Set priority",
  set_status: "Set status",
  set_stage: "Set journey stage",
  set_field: "Update a field",
  create_ticket: "Create a ticket",
  call_webhook: "Call a webhook",
  run_agent: "Let the AI agent answer",
  wait: "Wait",
  wait_for_reply: "Wait for a reply",
};

// ---- triggers -----------------------------------------------------------------------------------

export const triggerInput = z.strictObject({
  name: z.string().trim().min(1, "Give the automation a name").max(120),
  description: z.string().trim().max(1000).default(""),
  when: triggerWhen,
  conditions: conditionGroup.default({ match: "all", conditions: [] }),
  steps: z.array(step).min(1, "Add at least one step").max(30),
  /** Lower runs first when several triggers match one event. */
  priority: z.number().int().min(0).max(1000).default(100),
  active: z.boolean().default(false),
  /** Loop protection: runs per contact per day (organization time zone). */
  maxRunsPerContactPerDay: z.number().int().min(1).max(100).default(3),
});
export type TriggerInput = z.input<typeof triggerInput>;
export type TriggerDefinition = z.output<typeof triggerInput>;

export const triggerDoc = z.object({
  ...tenantFields,
  name: z.string(),
  description: z.string(),
  /** Seed 000's four types. */
  type: z.enum(["conversation_pattern", "time_based", "behavior", "lifecycle"]),
  when: triggerWhen,
  conditions: conditionGroup,
  steps: z.array(step),
  priority: z.number().int(),
  active: z.boolean(),
  maxRunsPerContactPerDay: z.number().int(),
  /** Bumped on every edit; a run keeps the steps of the version it started on. */
  version: z.number().int(),
  /** A scheduled trigger's next moment (null for every other trigger, and while disabled). */
  nextRunAt: z.date().nullable().optional(),
  executionCount: z.number().int(),
  successCount: z.number().int(),
  failureCount: z.number().int(),
  lastRunAt: z.date().nullable(),
  createdBy: objectId.nullable(),
});
export type TriggerDoc = z.infer<typeof triggerDoc>;

// ---- runs ---------------------------------------------------------------------------------------

/** What happened that a trigger heard. Typed by kind; carried on the run for its trace. */
export const automationEvent = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("message"),
    contactId: idString,
    conversationId: idString,
    messageId: idString,
    text: z.string().nullable(),
    at: z.string(),
    /** Filled by the event job when a messages_in_period trigger listens: the customer's messages in the last N hours, by N. */
    recent: z.record(z.string(), z.number()).optional(),
  }),
  /** A campaign's delivery, read, click or reply for one contact. */
  z.object({ kind: z.literal("behavior"), event: z.enum(behaviorEvents), contactId: idString, conversationId: z.null().default(null), campaignId: idString.nullable(), at: z.string() }),
  z.object({ kind: z.literal("analysis"), contactId: idString, conversationId: idString, intents: z.array(z.string()), sentiment: z.number(), at: z.string() }),
  /** A scheduled trigger's run for one contact; `firedAt` is the schedule's moment. */
  z.object({ kind: z.literal("schedule"), triggerId: idString, contactId: idString, conversationId: z.null().default(null), firedAt: z.string(), at: z.string() }),
  /** Scheduled per time-based trigger after a customer message; `since` is that message's time. */
  z.object({ kind: z.literal("inactivity"), triggerId: idString, contactId: idString, conversationId: idString, since: z.string(), at: z.string() }),
  z.object({
    kind: z.literal("lifecycle"),
    event: z.enum(lifecycleEvents),
    contactId: idString,
    conversationId: idString.nullable(),
    data: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).default({}),
    at: z.string(),
  }),
]);
export type AutomationEvent = z.infer<typeof automationEvent>;

/** The trigger that caused an event, when an automation's own action caused it (loop protection). */
export const eventOrigin = z.object({ triggerId: idString, runId: idString }).nullable();

export const stepTrace = z.object({
  /** Where in the steps: "2", "3.replied.0". */
  path: z.string(),
  kind: z.string(),
  status: z.enum(["done", "skipped", "failed", "waiting"]),
  detail: z.string(),
  at: z.date(),
  durationMs: z.number(),
});
export type StepTrace = z.infer<typeof stepTrace>;

/**
 * One run of a trigger for one contact. `workflow_executions` records every job delivery; a run
 * spans several (a three-day wait is two deliveries), so it is its own document with a step trace.
 */
export const automationRunDoc = z.object({
  ...tenantFields,
  triggerId: objectId,
  triggerName: z.string(),
  /** trigger + event: a redelivered event finds its run instead of starting another. */
  eventKey: z.string(),
  version: z.number().int(),
  /** The steps of that version, so an edit does not change a run that already started. */
  steps: z.array(step),
  contactId: objectId,
  conversationId: objectId.nullable(),
  event: automationEvent,
  status: z.enum(["running", "waiting", "completed", "failed"]),
  /** The next step to run ("0", "3.timeout.1"), or null when finished. */
  cursor: z.string().nullable(),
  /** A wait in progress: a delay, or a reply with its timeout. */
  waiting: z.object({ kind: z.enum(["delay", "reply"]), since: z.date(), until: z.date() }).nullable(),
  trace: z.array(stepTrace),
  error: z.string().nullable(),
  startedAt: z.date(),
  completedAt: z.date().nullable(),
  durationMs: z.number().nullable(),
});
export type AutomationRunDoc = z.infer<typeof automationRunDoc>;

/** Loop protection: runs of a trigger for a contact on one day. */
export const automationQuotaDoc = z.object({
  _id: objectId,
  orgId: objectId,
  triggerId: objectId,
  contactId: objectId,
  day: z.string(),
  count: z.number().int(),
  /** A period claim's event (claimPeriod): the same event delivered again still holds it. */
  holder: z.string().optional(),
  expiresAt: z.date(),
});
export type AutomationQuotaDoc = z.infer<typeof automationQuotaDoc>;

// Job runs (kept here since seed 000 puts them beside the triggers).

/** Every job run: its outcome, attempts and duration (seed 000 workflow_executions). */
export const workflowExecutionDoc = z.object({
  _id: objectId,
  orgId: objectId.nullable(),
  job: z.string(),
  /** The delivery's message id (QStash `Upstash-Message-Id` or the local driver's). */
  messageId: z.string(),
  payload: z.record(z.string(), z.unknown()),
  status: z.enum(["running", "completed", "failed", "retrying", "dead"]),
  attempts: z.number().int(),
  error: z.string().nullable(),
  durationMs: z.number().nullable(),
  startedAt: z.date(),
  completedAt: z.date().nullable(),
  /** Set when an admin re-enqueued this failed run: the new delivery's message id. */
  retriedAs: z.string().nullable(),
});
export type WorkflowExecutionDoc = z.infer<typeof workflowExecutionDoc>;
