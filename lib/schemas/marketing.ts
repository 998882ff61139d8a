import { z } from "zod";
import { objectId, tenantFields } from "./common";

export const campaignDoc = z.object({
  ...tenantFields,
  name: z.string(),
  accountId: objectId,
  templateId: objectId,
  audience: z.object({ tags: z.array(z.string()), contactIds: z.array(objectId), requireConsent: z.boolean() }),
  variables: z.record(z.string(), z.string()),
  status: z.enum(["draft", "scheduled", "running", "paused", "completed", "cancelled"]),
  scheduledAt: z.date().nullable(),
  /** Funnel counters, kept with $inc at write time (no aggregation on read). */
  counters: z.object({
    recipients: z.number().int(),
    sent: z.number().int(),
    delivered: z.number().int(),
    read: z.number().int(),
    replied: z.number().int(),
    failed: z.number().int(),
  }),
  createdBy: objectId.nullable(),
  completedAt: z.date().nullable(),
});
export type CampaignDoc = z.infer<typeof campaignDoc>;

/** One per (campaign, contact): claimed atomically before the send, which makes each send exactly-once. */
export const campaignRecipientDoc = z.object({
  ...tenantFields,
  campaignId: objectId,
  contactId: objectId,
  status: z.enum(["queued", "claimed", "sent", "delivered", "read", "replied", "failed", "skipped"]),
  messageId: objectId.nullable(),
  error: z.string().nullable(),
});
export type CampaignRecipientDoc = z.infer<typeof campaignRecipientDoc>;
