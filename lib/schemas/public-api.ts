import { z } from "zod";
import { idString } from "./common";
import { segmentGroup } from "./segment";
import { contactResponse, tagList } from "./contact";
import { contactListQuery } from "./contact-directory";
import { conversationResponse, listConversationsQuery, listMessagesQuery, messageResponse, sendMessageBody } from "./inbox";
import { listTemplatesQuery, templateDetailResponse, templateResponse } from "./template";
import { ticketListQuery, ticketResponse } from "./ticket";

/**
 * The public REST API's (v1) own inputs and outputs. Most are the app's schemas narrowed to what an
 * API client needs (no live-polling or UI-only fields); the routes validate with these and the
 * OpenAPI document (lib/api/v1/openapi.ts) is generated from them, so the two cannot disagree.
 */

const cursorPage = { nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page") };

/** `segmentId`: only the contacts of a saved segment (GET /api/v1/segments lists them). */
export const v1ListContactsQuery = contactListQuery.pick({ q: true, sort: true, cursor: true, limit: true, segmentId: true });
export const v1ContactPage = z.object({ contacts: z.array(contactResponse), ...cursorPage });
export const v1Contact = z.object({ contact: contactResponse });

export const v1ContactTagsBody = z
  .strictObject({ add: tagList.optional(), remove: tagList.optional() })
  .refine((b) => (b.add?.length ?? 0) + (b.remove?.length ?? 0) > 0, "Give tags to add or remove");

/** Something the contact did in another system (a purchase, a signup): campaigns whose goal it is count a conversion. */
export const v1ContactEventBody = z.strictObject({
  name: z.string().trim().min(1).max(60),
  /** When it happened (ISO 8601); default now. Not in the future. */
  at: z.iso.datetime({ offset: true }).optional(),
});
export const v1ContactEventResult = z.object({ name: z.string(), at: z.string(), conversions: z.number().int() });

export const v1ConsentBody = z.strictObject({
  state: z.enum(["opted_in", "opted_out"]),
  /** "marketing" changes only the marketing permission; "all" (default) the contact's consent as a whole. */
  channel: z.enum(["all", "marketing"]).default("all"),
  detail: z.string().trim().max(300).optional(),
});

export const v1ListConversationsQuery = listConversationsQuery.pick({ status: true, priority: true, tag: true, assignee: true, q: true, cursor: true, limit: true });
export const v1ConversationPage = z.object({ conversations: z.array(conversationResponse), ...cursorPage });
export const v1Conversation = z.object({ conversation: conversationResponse });
export const v1AssignBody = z.strictObject({ assigneeId: idString.nullable().describe("A teammate's user id, or null to unassign") });

export const v1ListMessagesQuery = listMessagesQuery.pick({ cursor: true, limit: true });
export const v1MessagePage = z.object({ messages: z.array(messageResponse).describe("Oldest first"), ...cursorPage });
const [textContent, , templateContent] = sendMessageBody.shape.content.options;
/** Text (inside the customer-service window) or an approved template; the Idempotency-Key header makes retries send once. */
export const v1SendMessageBody = z.strictObject({ content: z.discriminatedUnion("type", [textContent, templateContent]) });
export const v1Message = z.object({ message: messageResponse });

export const v1ListTemplatesQuery = listTemplatesQuery.pick({ status: true });
export const v1TemplateList = z.object({ templates: z.array(templateResponse) });
export const v1Template = z.object({ template: templateDetailResponse });

/** The app's views without "mine" (a key is nobody's assignee). */
export const v1ListTicketsQuery = ticketListQuery.extend({ view: z.enum(["open", "unassigned", "done", "all"]).default("open") });
export const v1TicketPage = z.object({ tickets: z.array(ticketResponse), ...cursorPage });
export const v1Ticket = z.object({ ticket: ticketResponse });

export const v1SegmentList = z.object({
  segments: z.array(z.object({ id: idString, name: z.string(), description: z.string().nullable(), definition: segmentGroup, createdAt: z.string(), updatedAt: z.string() })),
});

export const v1Deleted = z.object({ ok: z.literal(true) });
