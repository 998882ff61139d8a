import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { addTicketNote } from "@/lib/tickets/tickets";

export const runtime = "nodejs";
const params = z.object({ id: idParam });
const body = z.object({ text: z.string().trim().min(1, "write the note first").max(5000, "must be at most 5,000 characters") });

// POST /api/tickets/[id]/notes: an internal note on the ticket (never sent to the customer)
export const POST = withOrg({ permission: "manage:tickets", params, body }, async ({ orgId, actor, params, body }) => {
  const note = await addTicketNote(orgId, actor, params.id, body.text);
  return Response.json({ note: { id: note._id.toHexString(), text: note.text, authorName: note.authorName, createdAt: note.createdAt.toISOString() } }, { status: 201 });
});
