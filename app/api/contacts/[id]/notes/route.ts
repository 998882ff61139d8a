import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { addContactNote } from "@/lib/contacts/notes";
import { contactNoteBody } from "@/lib/schemas/contact";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// POST /api/contacts/[id]/notes: add a note about the person to their page's timeline
export const POST = withOrg({ permission: "manage:contacts", params, body: contactNoteBody }, async ({ orgId, actor, params, body }) => {
  const note = await addContactNote(orgId, actor, params.id, body.text);
  return Response.json({ note: { id: note._id.toHexString(), text: note.text, authorName: note.authorName, createdAt: note.createdAt.toISOString() } }, { status: 201 });
});
