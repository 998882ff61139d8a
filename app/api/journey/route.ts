import { withOrg } from "@/lib/api/with-org";
import { resolveAudience } from "@/lib/contacts/list-query";
import { journeyBoard } from "@/lib/journey/board";
import { contactListQuery } from "@/lib/schemas/contact-directory";

export const runtime = "nodejs";

// GET /api/journey: the journey board (per stage its newest customers, the count, time in stage and conversion to the next),
// for the contacts directory's audience parameters: a filter in the URL or a saved segment
export const GET = withOrg({ permission: "view:contacts", query: contactListQuery.pick({ filter: true, segmentId: true }) }, async ({ orgId, query }) =>
  journeyBoard(orgId, await resolveAudience(orgId, query)),
);
