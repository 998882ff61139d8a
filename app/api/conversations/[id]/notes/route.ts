import { z } from "zod";
import { withOrg } from "@/lib/api/with-org";
import { getConversationForUser } from "@/lib/inbox/access";
import { addNote } from "@/lib/inbox/actions";
import { toMessageResponses } from "@/lib/inbox/responses";
import { idParam } from "@/lib/api/params";
import { noteBody } from "@/lib/schemas/inbox";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// POST /api/conversations/[id]/notes: an internal note with @mentions (never sent to the customer)
export const POST = withOrg({ permission: "write:messages", params, body: noteBody }, async ({ user, actor, params, body }) => {
  const { conversation } = await getConversationForUser(user, params.id);
  const note = await addNote(user, actor, conversation, body);
  const [message] = await toMessageResponses(user.orgId, [note]);
  return Response.json({ message }, { status: 201 });
});
