import { withOrg } from "@/lib/api/with-org";
import { countContacts } from "@/lib/contacts/directory";
import { resolveListQuery } from "@/lib/contacts/list-query";
import { contactListQuery } from "@/lib/schemas/contact-directory";

export const runtime = "nodejs";

// GET /api/contacts/count: how many contacts the directory's search and filter match (capped at 100,000)
export const GET = withOrg({ permission: "view:contacts", query: contactListQuery }, async ({ orgId, query }) =>
  countContacts(orgId, await resolveListQuery(orgId, query)),
);
