import { withOrg } from "@/lib/api/with-org";
import { createTicket, listTickets, toTicketResponse } from "@/lib/tickets/tickets";
import { ticketInput, ticketListQuery } from "@/lib/schemas/ticket";

export const runtime = "nodejs";

// GET /api/tickets: a view of the tickets (open, mine, unassigned, done, all), most recently changed first (keyset pages)
export const GET = withOrg({ permission: "view:tickets", query: ticketListQuery }, async ({ orgId, user, query }) => {
  const page = await listTickets(orgId, user._id, query);
  return { tickets: page.tickets.map(toTicketResponse), nextCursor: page.nextCursor };
});

// POST /api/tickets: open a ticket for a contact or from a conversation
export const POST = withOrg({ permission: "manage:tickets", body: ticketInput }, async ({ orgId, actor, body }) =>
  Response.json({ ticket: toTicketResponse(await createTicket(orgId, actor, body, "agent")) }, { status: 201 }),
);
