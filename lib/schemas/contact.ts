import { z } from "zod";
import { idString, objectId, tenantFields } from "./common";

export const consentStates = ["unknown", "opted_in", "opted_out"] as const;

export const contactSource = z.object({
  kind: z.enum(["whatsapp", "ctwa_ad", "manual", "import", "widget", "campaign"]),
  /** For click-to-WhatsApp ads: Meta's referral object (source_url, source_id, headline, ctwa_clid...). */
  referral: z.record(z.string(), z.unknown()).nullable(),
  at: z.date(),
});

/**
 * A customer. Unique per organization and WhatsApp identity (`identityKey`): the E.164 phone when
 * Meta sent one, else `bsuid:<business-scoped user id>` for username users with no phone (2026+).
 */
export const contactDoc = z.object({
  ...tenantFields,
  identityKey: z.string(),
  phone: z.string().nullable(),
  waId: z.string().nullable(),
  bsuid: z.string().nullable(),
  username: z.string().nullable(),
  name: z.string().nullable(),
  profileName: z.string().nullable(),
  email: z.string().nullable(),
  company: z.string().nullable(),
  tags: z.array(z.string()),
  customFields: z.record(z.string(), z.string()),
  consent: z.object({
    state: z.enum(consentStates),
    marketing: z.boolean(),
    changedAt: z.date().nullable(),
    source: z.string().nullable(),
  }),
  source: contactSource,
  lastInboundAt: z.date().nullable(),
  conversationCount: z.number().int(),
  /** Lowercased name/phone/email tokens for portable indexed search (no $text on FerretDB). */
  searchTokens: z.array(z.string()),
});
export type ContactDoc = z.infer<typeof contactDoc>;

export const consentEventDoc = z.object({
  _id: objectId,
  orgId: objectId,
  contactId: objectId,
  state: z.enum(consentStates),
  channel: z.enum(["all", "marketing"]),
  source: z.enum(["keyword", "user_preferences_webhook", "agent", "import", "api"]),
  detail: z.string().nullable(),
  at: z.date(),
});
export type ConsentEventDoc = z.infer<typeof consentEventDoc>;

export const contactSnapshot = z.object({
  id: idString,
  name: z.string().nullable(),
  phone: z.string().nullable(),
});
