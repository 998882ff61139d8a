import { withOrg } from "@/lib/api/with-org";
import { suggestDuplicates } from "@/lib/contacts/merge";
import { toContactResponse } from "@/lib/contacts/contacts";

export const runtime = "nodejs";

// GET /api/contacts/duplicates: groups of contacts that look like one person (same email, same WhatsApp user id, same name and company)
export const GET = withOrg({ permission: "view:contacts" }, async ({ orgId }) => ({
  groups: (await suggestDuplicates(orgId)).map((g) => ({ reason: g.reason, contacts: g.contacts.map(toContactResponse) })),
}));
