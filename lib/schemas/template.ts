import { z } from "zod";
import { tenantFields, objectId } from "./common";

/** A WhatsApp message template mirrored from Meta (seed 002), with its approval state kept current by webhooks. */
export const templateDoc = z.object({
  ...tenantFields,
  accountId: objectId,
  wabaId: z.string(),
  metaId: z.string(),
  name: z.string(),
  language: z.string(),
  category: z.string(),
  status: z.string(),
  qualityScore: z.string().nullable(),
  rejectedReason: z.string().nullable(),
  parameterFormat: z.enum(["positional", "named"]),
  components: z.array(z.record(z.string(), z.unknown())),
  /** `wabaId:name:language`, unique: the sync and the webhooks upsert by it. */
  key: z.string(),
  syncedAt: z.date(),
});
export type TemplateDoc = z.infer<typeof templateDoc>;

/** A template as the API returns it (GET /api/templates): the composer lists the approved ones. */
export const templateResponse = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  language: z.string(),
  category: z.string(),
  status: z.string(),
  qualityScore: z.string().nullable(),
  rejectedReason: z.string().nullable(),
  parameterFormat: z.enum(["positional", "named"]),
  components: z.array(z.record(z.string(), z.unknown())),
  syncedAt: z.string(),
});
export type TemplateResponse = z.infer<typeof templateResponse>;

export const listTemplatesQuery = z.object({
  status: z.enum(["APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED", "DELETED"]).optional(),
  accountId: z.string().regex(/^[a-f0-9]{24}$/i, "must be a 24-character hex id").optional(),
});

/** Saved replies agents insert with `/shortcut` (managed by supervisors). */
export const cannedResponseDoc = z.object({
  ...tenantFields,
  shortcut: z.string(),
  title: z.string(),
  body: z.string(),
  createdBy: objectId.nullable(),
});
export type CannedResponseDoc = z.infer<typeof cannedResponseDoc>;
