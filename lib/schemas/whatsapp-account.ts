import { z } from "zod";
import { objectId, tenantFields } from "./common";

/** A WhatsApp Business phone number registered with Meta (seed 002 whatsapp_accounts). */
export const whatsappAccountDoc = z.object({
  ...tenantFields,
  phoneNumberId: z.string(),
  wabaId: z.string(),
  displayPhoneNumber: z.string(),
  verifiedName: z.string().nullable(),
  /** Encrypted-at-rest is the deployment's job (Atlas encryption); the env token is the default account's. */
  accessToken: z.string().nullable(),
  qualityRating: z.string().nullable(),
  messagingLimit: z.string().nullable(),
  /** Messages per second Meta allows this number (80 by default, 1,000 after upgrade). */
  throughputMps: z.number().int(),
  /** Send marketing templates through Meta's Marketing Messages API (`/marketing_messages`); missing: no. */
  marketingMessagesApi: z.boolean().optional(),
  /** End of the paced sends' reservations on this number, epoch ms (lib/messaging/send-pacer.ts). */
  sendPacedUntil: z.number().optional(),
  status: z.string(),
  /** Last account-level events (quality, bans, reviews) as Meta sent them. */
  events: z.array(z.object({ field: z.string(), at: z.date(), value: z.record(z.string(), z.unknown()) })),
  tokenError: z.object({ code: z.number(), message: z.string(), at: z.date() }).nullable(),
});
export type WhatsappAccountDoc = z.infer<typeof whatsappAccountDoc>;
export const whatsappAccountIdSchema = objectId;
