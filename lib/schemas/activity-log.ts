import { z } from "zod";
import { objectId } from "./common";

/** The audit log (seed 001 ActivityLog): who did what to which entity, with before/after. */
export const activityLogDoc = z.object({
  _id: objectId,
  orgId: objectId,
  actorId: objectId.nullable(),
  actorName: z.string(),
  action: z.string(),
  entityType: z.enum(["organization", "user", "conversation", "contact", "message", "settings", "whatsapp_account", "template", "ai_agent", "knowledge_article", "campaign", "segment", "contact_list", "contact_import", "trigger", "api_key", "webhook_event", "job", "ticket"]),
  entityId: objectId.nullable(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  ip: z.string().nullable(),
  at: z.date(),
});
export type ActivityLogDoc = z.infer<typeof activityLogDoc>;
