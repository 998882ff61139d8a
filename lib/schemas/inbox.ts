import { z } from "zod";
import { idString } from "./common";
import { conversationStatuses, priorities, senders } from "./conversation";
import { deliveryStatuses, messageTypes } from "./message";

/** Inbox views; each has a count in the view tabs. */
export const inboxViews = ["mine", "unassigned", "ai", "all"] as const;
export type InboxView = (typeof inboxViews)[number];

/** What agents work on; the default status filter of every view. */
export const activeStatuses = ["open", "ai_handled", "assigned", "waiting"] as const;
export const statusFilters = ["active", "any", ...conversationStatuses] as const;
export type StatusFilter = (typeof statusFilters)[number];

const tag = z.string().trim().min(1, "must not be empty").max(40, "must be at most 40 characters");
const isoDate = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const listConversationsQuery = z.object({
  view: z.enum(inboxViews).default("all"),
  /** Default "active"; "any" when searching, so resolved conversations are found too. */
  status: z.enum(statusFilters).optional(),
  priority: z.enum(priorities).optional(),
  tag: tag.optional(),
  /** A user id, or "none" for unassigned. */
  assignee: z.union([idString, z.literal("none")]).optional(),
  q: z.string().trim().max(100, "must be at most 100 characters").optional(),
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  /** Live polling: only conversations changed after this time (the previous answer's `serverTime`). */
  updatedAfter: isoDate.optional(),
});
export type ListConversationsQuery = z.infer<typeof listConversationsQuery>;

export const listMessagesQuery = z.object({
  /** Older messages: the previous page's `nextCursor`. */
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  updatedAfter: isoDate.optional(),
});
export type ListMessagesQuery = z.infer<typeof listMessagesQuery>;

export const conversationResponse = z.object({
  id: idString,
  status: z.enum(conversationStatuses),
  priority: z.enum(priorities),
  assigneeId: idString.nullable(),
  tags: z.array(z.string()),
  contactId: idString,
  accountId: idString,
  contact: z.object({ name: z.string().nullable(), phone: z.string().nullable() }),
  lastMessage: z
    .object({ preview: z.string(), type: z.string(), sender: z.enum(senders), status: z.string().nullable(), at: z.string() })
    .nullable(),
  lastActivityAt: z.string(),
  lastCustomerMessageAt: z.string().nullable(),
  unreadCount: z.number(),
  snoozedUntil: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  ai: z.object({ enabled: z.boolean(), confidence: z.number().nullable(), handoverReason: z.string().nullable() }),
  source: z.object({ kind: z.string(), referral: z.record(z.string(), z.unknown()).nullable() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ConversationResponse = z.infer<typeof conversationResponse>;

export const messageResponse = z.object({
  id: idString,
  conversationId: idString,
  /** The client's idempotency key for outbound messages (matches an optimistic bubble), else null. */
  clientKey: z.string().nullable(),
  waMessageId: z.string().nullable(),
  direction: z.enum(["inbound", "outbound"]),
  sender: z.enum(senders),
  senderUserId: idString.nullable(),
  type: z.enum(messageTypes),
  text: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()).nullable(),
  media: z
    .object({
      fileId: idString.nullable(),
      mimeType: z.string().nullable(),
      filename: z.string().nullable(),
      caption: z.string().nullable(),
      size: z.number().nullable(),
      download: z.string(),
      downloadError: z.string().nullable(),
      voice: z.boolean(),
    })
    .nullable(),
  /** The quoted message, with a short preview when it is stored. */
  replyTo: z
    .object({ waMessageId: z.string(), messageId: idString.nullable(), preview: z.string().nullable(), sender: z.enum(senders).nullable() })
    .nullable(),
  reactions: z.array(z.object({ emoji: z.string(), by: z.enum(["customer", "business"]) })),
  edited: z.object({ text: z.string().nullable(), at: z.string() }).nullable(),
  revokedAt: z.string().nullable(),
  forwarded: z.enum(["no", "forwarded", "frequently"]),
  status: z.enum(deliveryStatuses).nullable(),
  error: z.object({ code: z.number(), title: z.string().nullable(), message: z.string().nullable(), details: z.string().nullable() }).nullable(),
  /** Which AI provider wrote an AI reply (absent otherwise): the agent's UI badges "offline AI". */
  aiProvider: z.enum(["gemini", "offline"]).optional(),
  sentAt: z.string(),
  updatedAt: z.string(),
});
export type MessageResponse = z.infer<typeof messageResponse>;

/** Client-generated, so a retried request or a double click sends once. */
const idempotencyKey = z.string().regex(/^[A-Za-z0-9_-]{8,80}$/, "must be 8-80 letters, digits, _ or -");
const text = z.string().max(4096, "must be at most 4,096 characters");

export const sendMessageBody = z.strictObject({
  idempotencyKey,
  content: z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("text"), text, previewUrl: z.boolean().optional() }),
    z.strictObject({
      type: z.enum(["image", "document", "video", "audio"]),
      fileId: idString,
      caption: z.string().max(1024, "must be at most 1,024 characters").optional(),
      filename: z.string().max(240).optional(),
    }),
    z.strictObject({
      type: z.literal("template"),
      template: z.strictObject({
        name: z.string().min(1).max(512),
        language: z.string().min(2).max(15),
        components: z.array(z.record(z.string(), z.unknown())).max(10).optional(),
      }),
    }),
  ]),
  replyToMessageId: idString.optional(),
});
export type SendMessageBody = z.infer<typeof sendMessageBody>;

export const noteBody = z.strictObject({
  idempotencyKey,
  text: z.string().trim().min(1, "The note is empty").max(4096, "must be at most 4,096 characters"),
  /** Users @mentioned in the note. */
  mentions: z.array(idString).max(20).default([]),
});

export const assignBody = z.strictObject({
  /** A user id, "me", or null to unassign. */
  assigneeId: z.union([idString, z.literal("me"), z.null()]),
});

export const settableStatuses = ["open", "waiting", "resolved", "closed", "snoozed"] as const;
export const statusBody = z
  .strictObject({
    status: z.enum(settableStatuses),
    snoozedUntil: isoDate.optional(),
  })
  .refine((b) => b.status !== "snoozed" || b.snoozedUntil, { message: "snoozedUntil is required to snooze", path: ["snoozedUntil"] })
  .refine((b) => b.status === "snoozed" || !b.snoozedUntil, { message: "snoozedUntil is only allowed when snoozing", path: ["snoozedUntil"] });

export const updateConversationBody = z
  .strictObject({
    priority: z.enum(priorities).optional(),
    tags: z.array(tag).max(20, "at most 20 tags").optional(),
    aiEnabled: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, "Nothing to update");

export const assigneeResponse = z.object({
  id: idString,
  name: z.string(),
  role: z.string(),
  availability: z.string(),
});
export type AssigneeResponse = z.infer<typeof assigneeResponse>;

/** Counts stop at COUNT_CAP: a count at the cap means "this many or more". */
export const COUNT_CAP = 100;
export type CountName = InboxView | "unread";
export type ViewCounts = Record<CountName, number>;

/** How a count reads in the tabs, the nav badge and the tab title: 7, or 99+ past the cap. */
export function formatCount(counts: ViewCounts, name: CountName): string {
  const n = counts[name];
  return n >= COUNT_CAP ? `${COUNT_CAP - 1}+` : String(n);
}

const countWords: Record<CountName, [one: string, many: string]> = {
  all: ["open conversation", "open conversations"],
  mine: ["open, assigned to me", "open, assigned to me"],
  unassigned: ["unassigned open", "unassigned open"],
  ai: ["open, handled by AI", "open, handled by AI"],
  unread: ["unread conversation", "unread conversations"],
};

/**
 * What a count counts, with the count: "6 unassigned open", "9 unread conversations". The tabs, the
 * nav badge and the dashboard show this same text (visible, title and aria-label), so one number
 * never reads as two. "Open" is every active status (open, assigned, waiting, AI-handled).
 */
export function countLabel(counts: ViewCounts, name: CountName): string {
  const { count, words } = countParts(counts, name);
  return `${count} ${words}`;
}

/** countLabel in its two parts, for a layout that sets the number apart (the dashboard cards). */
export function countParts(counts: ViewCounts, name: CountName): { count: string; words: string } {
  const [one, many] = countWords[name];
  return { count: formatCount(counts, name), words: counts[name] === 1 ? one : many };
}
