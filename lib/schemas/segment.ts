import { z } from "zod";
import { objectId, tenantFields } from "./common";
import { consentStates, contactSource } from "./contact";
import { journeyStages } from "./journey";

/**
 * A segment is a saved filter over contacts: AND/OR groups of conditions, compiled to ONE MongoDB
 * filter by lib/contacts/segments/compile.ts. Campaigns, automation and analytics choose their
 * audiences with the same definition, so this schema is the one place a condition is described.
 */

/** What a field holds decides which operators it takes. */
export const segmentFieldTypes = ["text", "tags", "lists", "user", "enum", "boolean", "date", "number"] as const;
export type SegmentFieldType = (typeof segmentFieldTypes)[number];

export const operatorsByType = {
  text: ["is", "is_not", "contains", "starts_with", "is_any_of", "is_none_of", "is_set", "is_not_set"],
  tags: ["has_any", "has_all", "has_none", "is_set", "is_not_set"],
  /** Values are list ids. */
  lists: ["has_any", "has_none"],
  /** Values are user ids. */
  user: ["is_any_of", "is_none_of", "is_set", "is_not_set"],
  enum: ["is", "is_not", "is_any_of", "is_none_of"],
  boolean: ["is_true", "is_false"],
  date: ["before", "after", "between", "in_last_days", "more_than_days_ago", "is_set", "is_not_set"],
  number: ["at_least", "at_most", "is_set", "is_not_set"],
} as const satisfies Record<SegmentFieldType, readonly string[]>;

export const segmentOperators = [...new Set(Object.values(operatorsByType).flat())] as const;
export type SegmentOperator = (typeof operatorsByType)[SegmentFieldType][number];

/** The contact fields a segment can use. `customFields.<key>` is added for any custom field key. */
export const segmentFields = {
  name: { label: "Name", type: "text" },
  phone: { label: "Phone", type: "text" },
  email: { label: "Email", type: "text" },
  company: { label: "Company", type: "text" },
  tags: { label: "Tags", type: "tags" },
  listIds: { label: "Lists", type: "lists" },
  ownerId: { label: "Owner", type: "user" },
  "consent.state": { label: "Consent", type: "enum", values: consentStates },
  "consent.marketing": { label: "Marketing allowed", type: "boolean" },
  "source.kind": { label: "Source", type: "enum", values: contactSource.shape.kind.options },
  createdAt: { label: "Created", type: "date" },
  lastInboundAt: { label: "Last message from them", type: "date" },
  /** Copied from lead_scores by the scoring batch (docs/scoring.md); missing until the contact is scored. */
  leadScore: { label: "Lead score", type: "number" },
  "journey.stage": { label: "Journey stage", type: "enum", values: journeyStages },
} as const satisfies Record<string, { label: string; type: SegmentFieldType; values?: readonly string[] }>;
export type SegmentFieldName = keyof typeof segmentFields;

export const CUSTOM_FIELD_PREFIX = "customFields.";

const scalar = z.union([z.string().max(200), z.boolean()]);

export const segmentCondition = z.strictObject({
  field: z.string().max(60),
  op: z.enum(segmentOperators as unknown as [SegmentOperator, ...SegmentOperator[]]),
  /** A string, a list of strings (any/none of, tags), an ISO date, a [from, to] pair, a number of days or a number (at least / at most), by operator. */
  value: z.union([scalar, z.number(), z.array(z.string().max(200)).max(200)]).optional(),
});
export type SegmentCondition = z.infer<typeof segmentCondition>;

export type SegmentGroup = { match: "all" | "any"; conditions: (SegmentCondition | SegmentGroup)[] };

/** Groups nest up to MAX_DEPTH deep ("all of: A, any of (B, C)"). */
export const MAX_DEPTH = 3;
export const MAX_CONDITIONS = 50;

/**
 * A condition or a nested group, told apart by `match`, so an error names the condition's own
 * field ("conditions.0.op: ...") instead of a union's "Invalid input".
 */
const conditionOrGroup: z.ZodType<SegmentCondition | SegmentGroup> = z.unknown().transform((value, ctx) => {
  const schema = typeof value === "object" && value !== null && "match" in value ? segmentGroup : segmentCondition;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
  return z.NEVER;
}) as unknown as z.ZodType<SegmentCondition | SegmentGroup>;

export const segmentGroup: z.ZodType<SegmentGroup> = z.lazy(() =>
  z.strictObject({
    match: z.enum(["all", "any"], "must be all or any"),
    conditions: z.array(conditionOrGroup).max(MAX_CONDITIONS, `at most ${MAX_CONDITIONS} conditions in a group`),
  }),
);

export const segmentDoc = z.object({
  ...tenantFields,
  name: z.string(),
  description: z.string().nullable(),
  definition: segmentGroup,
  /** Null when the platform created it (an API key or a script has no user). */
  createdBy: objectId.nullable(),
});
export type SegmentDoc = z.infer<typeof segmentDoc>;

export const segmentBody = z.strictObject({
  name: z.string().trim().min(1, "must not be empty").max(80, "must be at most 80 characters"),
  description: z.string().trim().max(300).nullable().optional(),
  definition: segmentGroup,
});
