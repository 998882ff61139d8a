import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withApiKey } from "@/lib/api/with-api-key";
import { getContact, toContactResponse, updateContact } from "@/lib/contacts/contacts";
import { eraseContactById } from "@/lib/contacts/gdpr";
import { updateContactBody } from "@/lib/schemas/contact";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/v1/contacts/[id]: one contact
export const GET = withApiKey({ scope: "contacts:read", params }, async ({ orgId, params }) => ({ contact: toContactResponse(await getContact(orgId, params.id)) }));

// PATCH /api/v1/contacts/[id]: change name, email, company, address, language, phone, tags (the whole list), custom fields, owner
export const PATCH = withApiKey({ scope: "contacts:write", params, body: updateContactBody }, async ({ orgId, actor, params, body }) => ({
  contact: toContactResponse(await updateContact(orgId, actor, params.id, body)),
}));

// DELETE /api/v1/contacts/[id]: erase the contact and their conversations (GDPR erasure; their number is suppressed), so it needs contacts:admin
export const DELETE = withApiKey({ scope: "contacts:admin", params }, async ({ orgId, actor, params }) => {
  await getContact(orgId, params.id);
  await eraseContactById(orgId, actor, params.id);
  return { ok: true };
});
