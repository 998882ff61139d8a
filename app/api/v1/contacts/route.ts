import { withApiKey } from "@/lib/api/with-api-key";
import { toContactResponse } from "@/lib/contacts/contacts";
import { createContact, listContacts } from "@/lib/contacts/directory";
import { resolveListQuery } from "@/lib/contacts/list-query";
import { createContactBody } from "@/lib/schemas/contact-directory";
import { v1ListContactsQuery } from "@/lib/schemas/public-api";

export const runtime = "nodejs";

// GET /api/v1/contacts: the contacts, one keyset page (search with q, a saved segment, sort, cursor)
export const GET = withApiKey({ scope: "contacts:read", query: v1ListContactsQuery }, async ({ orgId, query }) => {
  const page = await listContacts(orgId, await resolveListQuery(orgId, query));
  return { contacts: page.contacts.map(toContactResponse), nextCursor: page.nextCursor };
});

// POST /api/v1/contacts: create a contact (a phone, normalised to E.164, or a WhatsApp user id); 409 if it exists
export const POST = withApiKey({ scope: "contacts:write", body: createContactBody }, async ({ orgId, actor, body }) =>
  Response.json({ contact: toContactResponse(await createContact(orgId, actor, body)) }, { status: 201 }),
);
