import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { ticketPatch } from "@/lib/schemas/ticket";
import { getTicket, toTicketResponse, updateTicket } from "@/lib/tickets/tickets";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/tickets/[id]: one ticket
export const GET = withOrg({ permission: "view:tickets", params }, async ({ orgId, params }) => ({ ticket: toTicketResponse(await getTicket(orgId, params.id)) }));

// PATCH /api/tickets/[id]: change fields, status, assignee, links or resolution (audited)
export const PATCH = withOrg({ permission: "manage:tickets", params, body: ticketPatch }, async ({ orgId, actor, params, body }) => ({
  ticket: toTicketResponse(await updateTicket(orgId, actor, params.id, body)),
}));
