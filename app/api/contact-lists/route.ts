import { withOrg } from "@/lib/api/with-org";
import { createContactList, listContactListsWithCounts, toContactListResponse } from "@/lib/contacts/lists";
import { contactListBody } from "@/lib/schemas/contact";

export const runtime = "nodejs";

// GET /api/contact-lists: the organization's static lists with their member counts
export const GET = withOrg({ permission: "view:contacts" }, async ({ orgId }) => ({ lists: (await listContactListsWithCounts(orgId)).map(toContactListResponse) }));

// POST /api/contact-lists: create an empty list (contacts join it by a bulk action or an import)
export const POST = withOrg({ permission: "manage:contacts", body: contactListBody }, async ({ orgId, actor, body }) =>
  Response.json({ list: toContactListResponse(await createContactList(orgId, actor, body)) }, { status: 201 }),
);
