import { z } from "zod";
import { objectId, tenantFields } from "./common";

export const conversationStatuses = ["open", "ai_handled", "assigned", "waiting", "snoozed", "resolved", "closed"] as const;
export const priorities = ["low", "normal", "high", "urgent"] as const;
export const senders = ["customer", "agent", "ai", "system"] as const;

/** 24-hour customer-service window: free-form replies allowed until this long after the last customer message. */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

export const conversationDoc = z.object({
  ...tenantFields,
  accountId: objectId,
  contactId: objectId,
  /**
   * `contactId:accountId` while the conversation is live (open..resolved), rewritten when closed.
   * Unique per org, so concurrent inbound deliveries upsert one live conversation per contact
   * without transactions or partial indexes.
   */
  liveKey: z.string(),
  status: z.enum(conversationStatuses),
  priority: z.enum(priorities),
  assigneeId: objectId.nullable(),
  tags: z.array(z.string()),
  /** Denormalised so the inbox list reads one collection: no join per page. */
  contact: z.object({ name: z.string().nullable(), phone: z.string().nullable(), identityKey: z.string() }),
  lastMessage: z
    .object({
      preview: z.string(),
      type: z.string(),
      sender: z.enum(senders),
      status: z.string().nullable(),
      at: z.date(),
    })
    .nullable(),
  lastActivityAt: z.date(),
  lastCustomerMessageAt: z.date().nullable(),
  unreadCount: z.number().int(),
  /**
   * The latest inbound messages this conversation has counted (newest last, at most
   * COUNTED_MESSAGES_KEPT). The count and this list move in one update, so a delivery Meta resends
   * after a failure half-way (message stored, conversation not yet updated) is counted exactly once.
   * Missing on conversations written before it existed: nothing counted yet.
   */
  countedMessageIds: z.array(objectId).optional(),
  firstResponseAt: z.date().nullable(),
  snoozedUntil: z.date().nullable(),
  resolvedAt: z.date().nullable(),
  ai: z.object({
    enabled: z.boolean(),
    confidence: z.number().nullable(),
    handoverReason: z.string().nullable(),
    consecutiveReplies: z.number().int(),
  }),
  source: z.object({ kind: z.string(), referral: z.record(z.string(), z.unknown()).nullable() }).nullable(),
  searchTokens: z.array(z.string()),
});
export type ConversationDoc = z.infer<typeof conversationDoc>;

export function windowOpen(c: Pick<ConversationDoc, "lastCustomerMessageAt">, now = new Date()): boolean {
  return !!c.lastCustomerMessageAt && now.getTime() - c.lastCustomerMessageAt.getTime() < CUSTOMER_SERVICE_WINDOW_MS;
}
