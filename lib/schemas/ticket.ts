import { z } from "zod";
import { idString, objectId, tenantFields } from "./common";
import { tagList } from "./contact";
import { priorities } from "./conversation";

/** Seed 001's ticket lifecycle; "waiting on customer" pauses the SLA clock (the SLA issue). */
export const ticketStatuses = ["open", "in_progress", "waiting_customer", "waiting_internal", "resolved", "closed"] as const;
export type TicketStatus = (typeof ticketStatuses)[number];
export const openTicketStatuses = ["open", "in_progress", "waiting_customer", "waiting_internal"] as const satisfies readonly TicketStatus[];
export const doneTicketStatuses = ["resolved", "closed"] as const satisfies readonly TicketStatus[];

export const ticketStatusLabels: Record<TicketStatus, string> = {
  open: "Open",
  in_progress: "In progress",
  waiting_customer: "Waiting on customer",
  waiting_internal: "Waiting internal",
  resolved: "Resolved",
  closed: "Closed",
};

/** Who opened it: a teammate (inbox or contact page), the AI agent's tool, an automation, the public API. */
export const ticketSources = ["agent", "ai", "automation", "api"] as const;

export const ticketResolution = z.object({
  summary: z.string().trim().min(1, "say how it was resolved").max(2000),
  steps: z.string().trim().max(4000).nullable(),
  category: z.string().trim().max(60).nullable(),
});

/**
 * A support ticket (seed 001). `number` is `TICKET-YYYY-NNNNNN` from the organization's counter
 * (lib/tickets/numbering.ts): never reused, even when an insert fails after taking a number.
 */
export const ticketDoc = z.object({
  ...tenantFields,
  number: z.string(),
  subject: z.string(),
  description: z.string().nullable(),
  category: z.string().nullable(),
  subcategory: z.string().nullable(),
  priority: z.enum(priorities),
  status: z.enum(ticketStatuses),
  assigneeId: objectId.nullable(),
  tags: z.array(z.string()),
  contactId: objectId,
  /** The conversation it was opened from (the conversation finds its tickets by this field). */
  conversationId: objectId.nullable(),
  parentTicketId: objectId.nullable(),
  relatedTicketIds: z.array(objectId),
  resolution: ticketResolution.nullable(),
  /** The customer's feedback on how the ticket was handled (the CSAT part of the tickets issue). */
  feedback: z.object({ rating: z.number().int().min(1).max(5).nullable(), comment: z.string().nullable(), at: z.date() }).nullable(),
  source: z.enum(ticketSources),
  createdBy: z.object({ id: objectId.nullable(), name: z.string() }),
  resolvedAt: z.date().nullable(),
  closedAt: z.date().nullable(),
});
export type TicketDoc = z.infer<typeof ticketDoc>;

/** An internal note on a ticket: never shown to the customer. */
export const ticketNoteDoc = z.object({
  ...tenantFields,
  ticketId: objectId,
  authorId: objectId.nullable(),
  authorName: z.string(),
  text: z.string(),
});
export type TicketNoteDoc = z.infer<typeof ticketNoteDoc>;

/** Per-organization sequences (`ticket:2026`), advanced with one atomic `$inc`. */
export const counterDoc = z.object({
  _id: objectId,
  orgId: objectId,
  name: z.string(),
  seq: z.number().int(),
  updatedAt: z.date(),
});
export type CounterDoc = z.infer<typeof counterDoc>;

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .transform((s) => (s === "" ? null : s))
    .nullable()
    .optional();

export const ticketInput = z.object({
  subject: z.string().trim().min(1, "a ticket needs a subject").max(200, "must be at most 200 characters"),
  description: optionalText(10_000),
  category: optionalText(60),
  subcategory: optionalText(60),
  priority: z.enum(priorities).default("normal"),
  assigneeId: idString.nullable().optional(),
  tags: tagList.default([]),
  /** The customer: given, or taken from the conversation. */
  contactId: idString.optional(),
  conversationId: idString.optional(),
  parentTicketId: idString.nullable().optional(),
});
export type TicketInput = z.input<typeof ticketInput>;

export const ticketPatch = z
  .object({
    subject: z.string().trim().min(1, "a ticket needs a subject").max(200, "must be at most 200 characters"),
    description: optionalText(10_000),
    category: optionalText(60),
    subcategory: optionalText(60),
    priority: z.enum(priorities),
    status: z.enum(ticketStatuses),
    assigneeId: idString.nullable(),
    tags: tagList,
    parentTicketId: idString.nullable(),
    relatedTicketIds: z.array(idString).max(20, "at most 20 related tickets"),
    resolution: ticketResolution.nullable(),
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, "nothing to change");
export type TicketPatch = z.output<typeof ticketPatch>;

export const ticketListQuery = z.object({
  view: z.enum(["open", "mine", "unassigned", "done", "all"]).default("open"),
  priority: z.enum(priorities).optional(),
  category: z.string().trim().max(60).optional(),
  contactId: idString.optional(),
  conversationId: idString.optional(),
  /** A ticket number, found directly. */
  number: z.string().trim().max(30).optional(),
  cursor: z.string().max(80).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type TicketListQuery = z.output<typeof ticketListQuery>;

export const ticketResponse = z.object({
  id: z.string(),
  number: z.string(),
  subject: z.string(),
  description: z.string().nullable(),
  category: z.string().nullable(),
  subcategory: z.string().nullable(),
  priority: z.enum(priorities),
  status: z.enum(ticketStatuses),
  assigneeId: z.string().nullable(),
  tags: z.array(z.string()),
  contactId: z.string(),
  conversationId: z.string().nullable(),
  parentTicketId: z.string().nullable(),
  relatedTicketIds: z.array(z.string()),
  resolution: ticketResolution.nullable(),
  source: z.enum(ticketSources),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  resolvedAt: z.string().nullable(),
});
export type TicketResponse = z.infer<typeof ticketResponse>;
