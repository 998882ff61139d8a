import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withApiKey } from "@/lib/api/with-api-key";
import { ticketPatch } from "@/lib/schemas/ticket";
import { getTicket, toTicketResponse, updateTicket } from "@/lib/tickets/tickets";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/v1/tickets/[id]: one ticket
export const GET = withApiKey({ scope: "tickets:read", params }, async ({ orgId, params }) => ({ ticket: toTicketResponse(await getTicket(orgId, params.id)) }));

// PATCH /api/v1/tickets/[id]: change fields, status, assignee, links or resolution (audited with the key's name)
export const PATCH = withApiKey({ scope: "tickets:write", params, body: ticketPatch }, async ({ orgId, actor, params, body }) => ({
  ticket: toTicketResponse(await updateTicket(orgId, actor, params.id, body)),
}));
