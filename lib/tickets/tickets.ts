import { ObjectId, type Filter } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { diff, recordActivity, type Actor } from "@/lib/audit/audit";
import { can } from "@/lib/auth/permissions";
import { getContact } from "@/lib/contacts/contacts";
import { scoped } from "@/lib/db/scoped";
import { beforeCursor, encodeCursor } from "@/lib/inbox/cursor";
import {
  doneTicketStatuses,
  openTicketStatuses,
  ticketStatuses,
  type TicketDoc,
  type TicketInput,
  type TicketListQuery,
  type TicketNoteDoc,
  type TicketPatch,
  type TicketResponse,
  ticketInput,
} from "@/lib/schemas/ticket";
import { nextTicketNumber } from "./numbering";
import { emitEvent } from "@/lib/outbound-webhooks/emit";
import { ticketData } from "@/lib/outbound-webhooks/payloads";

export type TicketSource = TicketDoc["source"];

export function toTicketResponse(t: TicketDoc): TicketResponse {
  return {
    id: t._id.toHexString(),
    number: t.number,
    subject: t.subject,
    description: t.description,
    category: t.category,
    subcategory: t.subcategory,
    priority: t.priority,
    status: t.status,
    assigneeId: t.assigneeId?.toHexString() ?? null,
    tags: t.tags,
    contactId: t.contactId.toHexString(),
    conversationId: t.conversationId?.toHexString() ?? null,
    parentTicketId: t.parentTicketId?.toHexString() ?? null,
    relatedTicketIds: t.relatedTicketIds.map((id) => id.toHexString()),
    resolution: t.resolution,
    source: t.source,
    createdBy: t.createdBy.name,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    resolvedAt: t.resolvedAt?.toISOString() ?? null,
  };
}

/** Someone who can work tickets: an active teammate whose role has `manage:tickets`. */
async function ticketAssignee(orgId: ObjectId, id: string): Promise<ObjectId> {
  const user = await scoped(orgId)("users").findOne({ _id: new ObjectId(id) }, { projection: { active: 1, role: 1 } });
  if (!user || !user.active || !can(user.role, "manage:tickets")) throw new ApiError("unprocessable_entity", "assigneeId: the assignee must be an active teammate who works tickets");
  return user._id;
}

async function existingTicket(orgId: ObjectId, id: string, field: string): Promise<ObjectId> {
  const t = await scoped(orgId)("tickets").findOne({ _id: new ObjectId(id) }, { projection: { _id: 1 } });
  if (!t) throw new ApiError("unprocessable_entity", `${field}: no such ticket`);
  return t._id;
}

/**
 * Opens a ticket for a contact, or for a conversation's contact (linked both ways: the ticket holds
 * the conversation, the conversation finds its tickets by that field). Everything is checked
 * before the number is taken, so bad input never uses one.
 */
export async function createTicket(orgId: ObjectId, actor: Actor, raw: TicketInput, source: TicketSource): Promise<TicketDoc> {
  const input = ticketInput.parse(raw);
  const db = scoped(orgId);
  let contactId: ObjectId;
  let conversationId: ObjectId | null = null;
  if (input.conversationId) {
    const conversation = await db("conversations").findOne({ _id: new ObjectId(input.conversationId) }, { projection: { contactId: 1 } });
    if (!conversation) throw new ApiError("unprocessable_entity", "conversationId: no such conversation");
    if (input.contactId && !conversation.contactId.equals(new ObjectId(input.contactId))) throw new ApiError("unprocessable_entity", "contactId: the conversation belongs to another contact");
    conversationId = conversation._id;
    contactId = conversation.contactId;
  } else if (input.contactId) {
    contactId = (await getContact(orgId, new ObjectId(input.contactId)).catch(() => {
      throw new ApiError("unprocessable_entity", "contactId: no such contact");
    }))._id;
  } else {
    throw new ApiError("unprocessable_entity", "contactId: a ticket is about a contact or a conversation");
  }
  const assigneeId = input.assigneeId ? await ticketAssignee(orgId, input.assigneeId) : null;
  const parentTicketId = input.parentTicketId ? await existingTicket(orgId, input.parentTicketId, "parentTicketId") : null;

  const now = new Date();
  const doc: Omit<TicketDoc, "orgId"> = {
    _id: new ObjectId(),
    number: await nextTicketNumber(orgId, now),
    subject: input.subject,
    description: input.description ?? null,
    category: input.category ?? null,
    subcategory: input.subcategory ?? null,
    priority: input.priority,
    status: "open",
    assigneeId,
    tags: [...new Set(input.tags)],
    contactId,
    conversationId,
    parentTicketId,
    relatedTicketIds: [],
    resolution: null,
    feedback: null,
    source,
    createdBy: { id: actor.id, name: actor.name },
    resolvedAt: null,
    closedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await db("tickets").insertOne(doc);
  await recordActivity(orgId, actor, { action: "ticket.created", entityType: "ticket", entityId: doc._id, after: { number: doc.number, subject: doc.subject, source } });
  await emitEvent(orgId, "ticket.created", ticketData(doc));
  return { ...doc, orgId };
}

export async function getTicket(orgId: ObjectId, id: ObjectId): Promise<TicketDoc> {
  const t = await scoped(orgId)("tickets").findOne({ _id: id });
  if (!t) throw new ApiError("not_found", "Ticket not found");
  return t;
}

const viewStatuses = {
  open: openTicketStatuses,
  mine: openTicketStatuses,
  unassigned: openTicketStatuses,
  done: doneTicketStatuses,
  all: ticketStatuses,
} as const;

/**
 * A page of tickets, most recently changed first. Every view is a set of statuses (index
 * org_status_updated); the rest narrows within it. By number, or for one contact or conversation,
 * it reads that entity's tickets instead.
 */
export async function listTickets(orgId: ObjectId, viewerId: ObjectId, q: TicketListQuery): Promise<{ tickets: TicketDoc[]; nextCursor: string | null }> {
  const db = scoped(orgId);
  if (q.number) {
    const t = await db("tickets").findOne({ number: q.number.toUpperCase() });
    return { tickets: t ? [t] : [], nextCursor: null };
  }
  if (q.contactId || q.conversationId) {
    const filter: Filter<TicketDoc> = q.conversationId ? { conversationId: new ObjectId(q.conversationId) } : { contactId: new ObjectId(q.contactId) };
    const tickets = await db("tickets").find(filter, { sort: { createdAt: -1 }, limit: 100 }).toArray();
    return { tickets, nextCursor: null };
  }
  const filter: Filter<TicketDoc> = { status: { $in: [...viewStatuses[q.view]] } };
  if (q.view === "mine") filter.assigneeId = viewerId;
  if (q.view === "unassigned") filter.assigneeId = null;
  if (q.priority) filter.priority = q.priority;
  if (q.category) filter.category = q.category;
  const rows = await db("tickets")
    .find(q.cursor ? { $and: [filter, beforeCursor("updatedAt", q.cursor)] } : filter, { sort: { updatedAt: -1, _id: -1 }, limit: q.limit + 1 })
    .toArray();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { tickets: page, nextCursor: rows.length > q.limit && last ? encodeCursor(last.updatedAt, last._id) : null };
}

/**
 * Changes a ticket; every change is audited with its before and after. Resolving needs a
 * resolution summary (given now or before); reopening clears the resolution time.
 */
export async function updateTicket(orgId: ObjectId, actor: Actor, id: ObjectId, patch: TicketPatch): Promise<TicketDoc> {
  const db = scoped(orgId);
  const before = await getTicket(orgId, id);
  const set: Partial<TicketDoc> = {};
  if (patch.subject !== undefined) set.subject = patch.subject;
  if (patch.description !== undefined) set.description = patch.description ?? null;
  if (patch.category !== undefined) set.category = patch.category ?? null;
  if (patch.subcategory !== undefined) set.subcategory = patch.subcategory ?? null;
  if (patch.priority !== undefined) set.priority = patch.priority;
  if (patch.tags !== undefined) set.tags = [...new Set(patch.tags)];
  if (patch.assigneeId !== undefined) set.assigneeId = patch.assigneeId ? await ticketAssignee(orgId, patch.assigneeId) : null;
  if (patch.parentTicketId !== undefined) {
    if (patch.parentTicketId === id.toHexString()) throw new ApiError("unprocessable_entity", "parentTicketId: a ticket cannot be its own parent");
    set.parentTicketId = patch.parentTicketId ? await existingTicket(orgId, patch.parentTicketId, "parentTicketId") : null;
  }
  if (patch.relatedTicketIds !== undefined) {
    const ids = [...new Set(patch.relatedTicketIds)].filter((r) => r !== id.toHexString()).map((r) => new ObjectId(r));
    const found = await db("tickets").countDocuments({ _id: { $in: ids } });
    if (found !== ids.length) throw new ApiError("unprocessable_entity", "relatedTicketIds: some of those tickets do not exist");
    set.relatedTicketIds = ids;
  }
  if (patch.resolution !== undefined) set.resolution = patch.resolution;
  const now = new Date();
  if (patch.status !== undefined && patch.status !== before.status) {
    set.status = patch.status;
    const done = (doneTicketStatuses as readonly string[]).includes(patch.status);
    if (done && !(set.resolution ?? before.resolution)) throw new ApiError("unprocessable_entity", "resolution: say how the ticket was resolved before resolving or closing it");
    if (patch.status === "resolved") set.resolvedAt = now;
    if (patch.status === "closed") set.closedAt = now;
    if (!done) Object.assign(set, { resolvedAt: null, closedAt: null });
  }
  const changes = diff(before as unknown as Record<string, unknown>, set as Record<string, unknown>);
  if (!changes.changed) return before;
  // Guarded on the version read, so two people editing at once do not silently overwrite each other.
  const after = await db("tickets").findOneAndUpdate({ _id: id, updatedAt: before.updatedAt }, { $set: { ...set, updatedAt: now } }, { returnDocument: "after" });
  if (!after) throw new ApiError("conflict", "Someone else changed this ticket meanwhile; reload it and try again");
  await recordActivity(orgId, actor, { action: patch.status && patch.status !== before.status ? "ticket.status_changed" : "ticket.updated", entityType: "ticket", entityId: id, before: changes.before, after: changes.after });
  await emitEvent(orgId, "ticket.updated", { ...ticketData(after), changed: Object.keys(changes.after) });
  return after;
}

export async function addTicketNote(orgId: ObjectId, actor: Actor, ticketId: ObjectId, text: string): Promise<TicketNoteDoc> {
  const ticket = await getTicket(orgId, ticketId);
  const now = new Date();
  const doc: Omit<TicketNoteDoc, "orgId"> = { _id: new ObjectId(), ticketId: ticket._id, authorId: actor.id, authorName: actor.name, text, createdAt: now, updatedAt: now };
  await scoped(orgId)("ticket_notes").insertOne(doc);
  await scoped(orgId)("tickets").updateOne({ _id: ticket._id }, { $set: { updatedAt: now } });
  return { ...doc, orgId };
}

export async function listTicketNotes(orgId: ObjectId, ticketId: ObjectId): Promise<TicketNoteDoc[]> {
  return scoped(orgId)("ticket_notes").find({ ticketId }, { sort: { createdAt: 1 }, limit: 500 }).toArray();
}

/** The ticket's audit trail (who changed what, when), newest first. */
export async function ticketHistory(orgId: ObjectId, ticketId: ObjectId) {
  return scoped(orgId)("activity_logs").find({ entityType: "ticket", entityId: ticketId }, { sort: { at: -1 }, limit: 200 }).toArray();
}
