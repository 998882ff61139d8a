import { withOrg } from "@/lib/api/with-org";
import { createContact, listContacts } from "@/lib/contacts/directory";
import { resolveListQuery } from "@/lib/contacts/list-query";
import { toContactResponse } from "@/lib/contacts/contacts";
import { contactListQuery, createContactBody } from "@/lib/schemas/contact-directory";

export const runtime = "nodejs";

// GET /api/contacts: the contacts directory, one keyset page (search, segment or filter, sort)
export const GET = withOrg({ permission: "view:contacts", query: contactListQuery }, async ({ orgId, query }) => {
  const page = await listContacts(orgId, await resolveListQuery(orgId, query));
  return { contacts: page.contacts.map(toContactResponse), nextCursor: page.nextCursor };
});

// POST /api/contacts: create a contact by hand (a phone, normalised to E.164, or a WhatsApp user id)
export const POST = withOrg({ permission: "manage:contacts", body: createContactBody }, async ({ orgId, actor, body }) =>
  Response.json({ contact: toContactResponse(await createContact(orgId, actor, body)) }, { status: 201 }),
);
