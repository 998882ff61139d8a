import { ObjectId } from "mongodb";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as getRoute, PATCH as patchRoute } from "@/app/api/tickets/[id]/route";
import { POST as noteRoute } from "@/app/api/tickets/[id]/notes/route";
import { GET as listRoute, POST as createRoute } from "@/app/api/tickets/route";
import { conversationActionExecutor } from "@/lib/ai/conversation-actions";
import { conversationToolDeclarations } from "@/lib/ai/conversation-tools";
import { contactProfile } from "@/lib/contacts/profile";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { formatTicketNumber, nextTicketNumber, yearIn } from "@/lib/tickets/numbering";
import type { TicketResponse } from "@/lib/schemas/ticket";
import { createOrg, request, routeParams } from "../support/factories";
import { seedConversation } from "../support/inbox-fixtures";

let org: Awaited<ReturnType<typeof createOrg>>;
let conversation: Awaited<ReturnType<typeof seedConversation>>;
const year = new Date().getUTCFullYear();

beforeAll(async () => {
  org = await createOrg("Tickets org");
  conversation = await seedConversation(org.orgId, { name: "Rita Refund" });
});

async function create(body: unknown, user = org.users.agent) {
  const res = await createRoute(await request(user, "/api/tickets", { method: "POST", body }), routeParams({}));
  return { status: res.status, body: await res.json() };
}

async function patch(id: string, body: unknown, user = org.users.agent) {
  const res = await patchRoute(await request(user, `/api/tickets/${id}`, { method: "PATCH", body }), routeParams({ id }));
  return { status: res.status, body: await res.json() };
}

async function list(query: string, user = org.users.agent): Promise<{ tickets: TicketResponse[]; nextCursor: string | null }> {
  const res = await listRoute(await request(user, `/api/tickets${query}`), routeParams({}));
  expect(res.status).toBe(200);
  return res.json();
}

describe("ticket numbers", () => {
  it("are TICKET-YYYY-NNNNNN, one per ticket under concurrency, with no duplicates and none reused", async () => {
    const fresh = await createOrg("Numbering org");
    const numbers = await Promise.all(Array.from({ length: 40 }, () => nextTicketNumber(fresh.orgId)));
    expect(new Set(numbers).size, numbers.sort().join(" ")).toBe(40);
    expect(numbers.every((n) => /^TICKET-\d{4}-\d{6}$/.test(n))).toBe(true);
    expect([...numbers].sort()).toEqual(Array.from({ length: 40 }, (_, i) => formatTicketNumber(year, i + 1)));
    // A number taken by a ticket that was never stored is a gap: the next one moves on.
    expect(await nextTicketNumber(fresh.orgId)).toBe(formatTicketNumber(year, 41));
    // Each organization counts its own.
    const other = await createOrg("Other numbering org");
    expect(await nextTicketNumber(other.orgId)).toBe(formatTicketNumber(year, 1));
  });

  it("take the year in the organization's timezone", () => {
    const newYearsEveUtc = new Date("2026-12-31T23:30:00Z");
    expect(yearIn("UTC", newYearsEveUtc)).toBe(2026);
    expect(yearIn("Asia/Tokyo", newYearsEveUtc)).toBe(2027);
    expect(yearIn("America/Sao_Paulo", new Date("2027-01-01T01:00:00Z"))).toBe(2026);
  });
});

describe("a ticket's life", () => {
  it("is opened from a conversation, linked both ways, worked, resolved with a resolution, and every change is audited", async () => {
    const created = await create({ subject: "  Refund the double charge ", description: "Card charged twice on 2 Dec", priority: "high", conversationId: conversation._id.toHexString() });
    expect(created.status).toBe(201);
    const t = created.body.ticket as TicketResponse;
    expect(t).toMatchObject({ subject: "Refund the double charge", status: "open", priority: "high", contactId: conversation.contactId.toHexString(), conversationId: conversation._id.toHexString(), source: "agent", createdBy: "agent user" });
    expect(t.number).toMatch(new RegExp(`^TICKET-${year}-\\d{6}$`));

    // The conversation finds it (the inbox contact panel), and so does the number search.
    expect((await list(`?conversationId=${conversation._id.toHexString()}`)).tickets.map((x) => x.id)).toContain(t.id);
    expect((await list(`?number=${t.number.toLowerCase()}`)).tickets.map((x) => x.id)).toEqual([t.id]);

    // Taken by the agent: it is in "mine", out of "unassigned".
    expect((await patch(t.id, { assigneeId: org.users.agent._id.toHexString(), status: "in_progress" })).status).toBe(200);
    expect((await list("?view=mine")).tickets.map((x) => x.id)).toContain(t.id);
    expect((await list("?view=unassigned")).tickets.map((x) => x.id)).not.toContain(t.id);

    // Resolving without saying how is refused with the field named, and changes nothing.
    const refused = await patch(t.id, { status: "resolved" });
    expect(refused).toEqual({ status: 422, body: { error: { code: "unprocessable_entity", message: "resolution: say how the ticket was resolved before resolving or closing it" } } });
    const resolved = await patch(t.id, { status: "resolved", resolution: { summary: "Refunded the second charge", steps: null, category: "billing" } });
    expect(resolved.status).toBe(200);
    expect(resolved.body.ticket).toMatchObject({ status: "resolved", resolution: { summary: "Refunded the second charge" } });
    expect(resolved.body.ticket.resolvedAt).not.toBeNull();
    expect((await list("?view=open")).tickets.map((x) => x.id)).not.toContain(t.id);
    expect((await list("?view=done")).tickets.map((x) => x.id)).toContain(t.id);

    const note = await noteRoute(await request(org.users.agent, `/api/tickets/${t.id}/notes`, { method: "POST", body: { text: "Bank confirmed" } }), routeParams({ id: t.id }));
    expect(note.status).toBe(201);

    const history = await scoped(org.orgId)("activity_logs").find({ entityType: "ticket", entityId: new ObjectId(t.id) }, { sort: { at: 1, _id: 1 } }).toArray();
    expect(history.map((h) => h.action)).toEqual(["ticket.created", "ticket.status_changed", "ticket.status_changed"]);
    expect(history[2]).toMatchObject({ actorName: "agent user", before: { status: "in_progress" }, after: { status: "resolved" } });

    // Reopening clears the resolution time.
    expect((await patch(t.id, { status: "open" })).body.ticket.resolvedAt).toBeNull();

    // The contact's timeline shows it, linked.
    const profile = await contactProfile(org.orgId, conversation.contactId);
    expect(profile.timeline.find((e) => e.kind === "ticket")).toMatchObject({ title: `Ticket ${t.number}: Refund the double charge`, href: `/tickets/${t.id}` });
  });

  it("refuses bad input with the field named, and takes no number for it", async () => {
    const before = await scoped(org.orgId)("counters").findOne({ name: `ticket:${year}` });
    for (const [body, message] of [
      [{ subject: "   ", contactId: conversation.contactId.toHexString() }, "subject: a ticket needs a subject"],
      [{ subject: "x" }, "contactId: a ticket is about a contact or a conversation"],
      [{ subject: "x", contactId: new ObjectId().toHexString() }, "contactId: no such contact"],
      [{ subject: "x", conversationId: "nope" }, "conversationId: must be a 24-character hex id"],
      [{ subject: "x", contactId: conversation.contactId.toHexString(), assigneeId: org.users.marketer._id.toHexString() }, "assigneeId: the assignee must be an active teammate who works tickets"],
    ] as const) {
      const res = await create(body);
      expect(res, JSON.stringify(body)).toEqual({ status: 422, body: { error: { code: "unprocessable_entity", message } } });
    }
    expect((await scoped(org.orgId)("counters").findOne({ name: `ticket:${year}` }))?.seq).toBe(before?.seq);
  });

  it("lets viewers read but not change, and marketers neither", async () => {
    const { body } = await create({ subject: "Viewer check", contactId: conversation.contactId.toHexString() });
    const id = body.ticket.id as string;
    const read = await getRoute(await request(org.users.viewer, `/api/tickets/${id}`), routeParams({ id }));
    expect(read.status).toBe(200);
    expect((await patch(id, { priority: "low" }, org.users.viewer)).status).toBe(403);
    const marketer = await getRoute(await request(org.users.marketer, `/api/tickets/${id}`), routeParams({ id }));
    expect(marketer.status).toBe(403);
  });

  it("pages a view by last change without repeating or skipping a ticket", async () => {
    const fresh = await createOrg("Paging org");
    const c = await seedConversation(fresh.orgId, { name: "Paging customer" });
    for (let i = 0; i < 7; i++) {
      const res = await createRoute(await request(fresh.users.agent, "/api/tickets", { method: "POST", body: { subject: `Ticket ${i}`, conversationId: c._id.toHexString() } }), routeParams({}));
      expect(res.status).toBe(201);
    }
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const res = await listRoute(await request(fresh.users.agent, `/api/tickets?view=all&limit=3${cursor ? `&cursor=${cursor}` : ""}`), routeParams({}));
      const page = (await res.json()) as { tickets: TicketResponse[]; nextCursor: string | null };
      seen.push(...page.tickets.map((t) => t.subject));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(Array.from({ length: 7 }, (_, i) => `Ticket ${6 - i}`));
  });

  it("two people changing the same ticket at once: one wins, the other is told to reload", async () => {
    const { body } = await create({ subject: "Race", contactId: conversation.contactId.toHexString() });
    const id = body.ticket.id as string;
    const results = await Promise.all([patch(id, { priority: "urgent" }), patch(id, { priority: "low" }, org.users.supervisor)]);
    const statuses = results.map((r) => r.status).sort();
    // Both may also succeed one after the other; a lost update (both 200 with one change gone from the audit log) may not.
    const audited = await scoped(org.orgId)("activity_logs").countDocuments({ entityType: "ticket", entityId: new ObjectId(id), action: "ticket.updated" });
    expect(audited).toBe(statuses.filter((s) => s === 200).length);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
  });
});

describe("the AI agent's create_ticket tool", () => {
  it("is offered to the model, opens a ticket with the conversation's summary, and a retried turn does not open a second", async () => {
    expect(conversationToolDeclarations.map((d) => d.name)).toContain("create_ticket");
    const c = await seedConversation(org.orgId, { name: "Dario Delivery" });
    const execute = conversationActionExecutor(org.orgId, c);
    const args = { subject: "Parcel lost in transit", summary: "Order 1182 shows delivered but never arrived; customer checked with neighbours.", priority: "high", category: "shipping" };
    const first = await execute("create_ticket", args);
    const again = await execute("create_ticket", args);
    expect(first).toMatchObject({ ok: true, number: expect.stringMatching(/^TICKET-/) });
    expect(again).toEqual(first);
    const tickets = await scoped(org.orgId)("tickets").find({ conversationId: c._id }).toArray();
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ source: "ai", createdBy: { id: null, name: "AI agent" }, description: args.summary, priority: "high", category: "shipping", contactId: c.contactId });
    expect(await rawCollection("activity_logs").countDocuments({ orgId: org.orgId, entityId: tickets[0]!._id, actorName: "AI agent", action: "ticket.created" })).toBe(1);
  });
});
