import { withApiKey } from "@/lib/api/with-api-key";
import { v1ListTicketsQuery } from "@/lib/schemas/public-api";
import { ticketInput } from "@/lib/schemas/ticket";
import { createTicket, listTickets, toTicketResponse } from "@/lib/tickets/tickets";

export const runtime = "nodejs";

// GET /api/v1/tickets: a view of the tickets (open, unassigned, done, all), most recently changed first (keyset cursor)
export const GET = withApiKey({ scope: "tickets:read", query: v1ListTicketsQuery }, async ({ orgId, apiKey, query }) => {
  const page = await listTickets(orgId, apiKey._id, query);
  return { tickets: page.tickets.map(toTicketResponse), nextCursor: page.nextCursor };
});

// POST /api/v1/tickets: open a ticket for a contact or from a conversation (source "api")
export const POST = withApiKey({ scope: "tickets:write", body: ticketInput }, async ({ orgId, actor, body }) =>
  Response.json({ ticket: toTicketResponse(await createTicket(orgId, actor, body, "api")) }, { status: 201 }),
);
