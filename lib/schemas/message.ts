import { campaignRef } from "./campaign";
import { z } from "zod";
import { objectId, tenantFields } from "./common";
import { senders } from "./conversation";

export const messageTypes = [
  "text", "image", "audio", "video", "document", "sticker", "location", "contacts",
  "interactive", "button", "reaction", "order", "template", "system", "note", "unsupported",
] as const;

/** Outbound status ladder; `failed` is terminal and `read` never goes back to `delivered`. */
export const deliveryStatuses = ["pending", "sent", "delivered", "read", "played", "failed"] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];
export const statusRank: Record<DeliveryStatus, number> = { pending: 0, sent: 1, delivered: 2, read: 3, played: 4, failed: 5 };

export const metaError = z.object({
  code: z.number(),
  title: z.string().nullable(),
  message: z.string().nullable(),
  details: z.string().nullable(),
});
export type MetaErrorInfo = z.infer<typeof metaError>;

export const mediaRef = z.object({
  waMediaId: z.string().nullable(),
  mimeType: z.string().nullable(),
  sha256: z.string().nullable(),
  filename: z.string().nullable(),
  caption: z.string().nullable(),
  size: z.number().nullable(),
  /** GridFS file id once downloaded (inbound) or uploaded from the composer (outbound). */
  fileId: objectId.nullable(),
  download: z.enum(["pending", "done", "failed", "not_needed"]),
  downloadError: z.string().nullable(),
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
});

export const messageDoc = z.object({
  ...tenantFields,
  conversationId: objectId,
  contactId: objectId,
  accountId: objectId,
  /**
   * Unique per org: `wa:<wamid>` for inbound, `out:<idempotency key>` for outbound (set before the
   * send, when no wamid exists yet: a unique wamid would need a partial index, which the product
   * does not rely on, so one always-present key).
   */
  key: z.string(),
  waMessageId: z.string().nullable(),
  direction: z.enum(["inbound", "outbound"]),
  sender: z.enum(senders),
  senderUserId: objectId.nullable(),
  type: z.enum(messageTypes),
  /** Plain text for display and search: body, caption, button title, template preview. */
  text: z.string().nullable(),
  /** The type-specific object as Meta sent it (location, contacts, interactive, order, template...). */
  payload: z.record(z.string(), z.unknown()).nullable(),
  media: mediaRef.nullable(),
  replyTo: z.object({ waMessageId: z.string(), messageId: objectId.nullable() }).nullable(),
  /**
   * At most one per side, the newest by `at` (lib/webhook/messages.ts `setReaction`). An empty emoji
   * is that side's removal, kept so an older reaction delivered late does not come back.
   */
  reactions: z.array(z.object({ emoji: z.string(), by: z.enum(["customer", "business"]), at: z.date() })),
  edited: z.object({ text: z.string().nullable(), at: z.date() }).nullable(),
  revokedAt: z.date().nullable(),
  forwarded: z.enum(["no", "forwarded", "frequently"]),
  status: z.enum(deliveryStatuses).nullable(),
  statusHistory: z.array(z.object({ status: z.enum(deliveryStatuses), at: z.date() })),
  error: metaError.nullable(),
  pricing: z.record(z.string(), z.unknown()).nullable(),
  waConversation: z.record(z.string(), z.unknown()).nullable(),
  /** A campaign's message: its statuses advance that recipient's funnel (lib/campaigns/outcomes.ts). */
  campaign: campaignRef.optional(),
  /** An AI reply: which provider and model wrote it, so the inbox can badge the offline stand-in without labelling the text the customer reads. */
  ai: z.object({ provider: z.enum(["gemini", "offline"]), model: z.string() }).optional(),
  /** Meta's message timestamp (inbound) or our send time (outbound). */
  sentAt: z.date(),
  searchTokens: z.array(z.string()),
});
export type MessageDoc = z.infer<typeof messageDoc>;

/** A status webhook for a wamid not stored yet; applied when the message appears (no order guarantee). */
export const orphanStatusDoc = z.object({
  _id: objectId,
  orgId: objectId,
  waMessageId: z.string(),
  /** `waMessageId:status` — the same status delivered twice is stored once. */
  key: z.string(),
  status: z.enum(deliveryStatuses),
  at: z.date(),
  raw: z.record(z.string(), z.unknown()),
  createdAt: z.date(),
});
export type OrphanStatusDoc = z.infer<typeof orphanStatusDoc>;
