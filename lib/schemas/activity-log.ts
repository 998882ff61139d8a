import { z } from "zod";
import { objectId } from "./common";

export const activityEntityTypes = ["organization", "user", "conversation", "contact", "message", "settings", "whatsapp_account", "template", "ai_agent", "knowledge_article", "campaign", "segment", "contact_list", "contact_import", "trigger", "api_key", "webhook_event", "job", "ticket"] as const;
export type ActivityEntityType = (typeof activityEntityTypes)[number];

/** The audit log (seed 001 ActivityLog): who did what to which entity, with before/after. */
export const activityLogDoc = z.object({
  _id: objectId,
  orgId: objectId,
  actorId: objectId.nullable(),
  actorName: z.string(),
  action: z.string(),
  entityType: z.enum(activityEntityTypes),
  entityId: objectId.nullable(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  ip: z.string().nullable(),
  at: z.date(),
});
export type ActivityLogDoc = z.infer<typeof activityLogDoc>;

/** `actor=automation` picks the entries no person made (auto-assignment, the AI agent, jobs). */
export const AUTOMATION_ACTOR = "automation";

/** The audit log page's filters, from its URL (every one optional; the cursor is `<epoch ms>_<id>`). */
export const auditLogQuery = z.object({
  actor: z.union([z.literal(AUTOMATION_ACTOR), z.string().regex(/^[a-f0-9]{24}$/i, "must be a user id")]).optional(),
  entity: z.enum(activityEntityTypes).optional(),
  action: z.string().regex(/^[a-z_]+(\.[a-z_]+)+$/, "must be an action such as conversation.assigned").max(80).optional(),
  cursor: z.string().regex(/^\d{1,15}_[a-f0-9]{24}$/i, "is not a page of this log").optional(),
});
export type AuditLogQuery = z.infer<typeof auditLogQuery>;

/** One entry as the page shows it: names instead of ids, a sentence, the changed fields. */
export const auditLogRow = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.object({ name: z.string(), person: z.boolean() }),
  action: z.string(),
  /** The sentence after the actor's name, split so the entity's label can be emphasised. */
  verb: z.string(),
  entity: z.string().nullable(),
  suffix: z.string(),
  changes: z.array(z.object({ field: z.string(), before: z.string().nullable(), after: z.string().nullable() })),
});
export type AuditLogRow = z.infer<typeof auditLogRow>;
