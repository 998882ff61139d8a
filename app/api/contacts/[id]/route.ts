import { z } from "zod";
import { withOrg } from "@/lib/api/with-org";
import { idParam } from "@/lib/api/params";
import { toContactResponse, updateContact } from "@/lib/contacts/contacts";
import { getContactForUser, getContactPanel } from "@/lib/inbox/contacts";
import { updateContactBody } from "@/lib/schemas/contact";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/contacts/[id]: the contact panel (contact, their visible conversations, lead score, journey stage);
// 403 for an agent who may open none of the contact's conversations
export const GET = withOrg({ permission: "read:conversations", params }, async ({ user, params }) => getContactPanel(user, params.id));

// PATCH /api/contacts/[id]: inline edits of name, email, company, tags and custom fields (of a contact the user may see)
export const PATCH = withOrg({ permission: "manage:customers", params, body: updateContactBody }, async ({ user, orgId, actor, params, body }) => {
  await getContactForUser(user, params.id);
  return { contact: toContactResponse(await updateContact(orgId, actor, params.id, body)) };
});
