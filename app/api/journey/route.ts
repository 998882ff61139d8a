import { ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { withOrg } from "@/lib/api/with-org";
import { getSegment } from "@/lib/contacts/segments/store";
import { journeyBoard } from "@/lib/journey/board";
import { contactListQuery } from "@/lib/schemas/contact-directory";

export const runtime = "nodejs";

/** The board takes the contacts directory's audience parameters: a filter in the URL or a saved segment. */
const boardQuery = contactListQuery.pick({ filter: true, segmentId: true });

// GET /api/journey: the journey board (per stage its newest customers, the count, time in stage and conversion to the next)
export const GET = withOrg({ permission: "view:contacts", query: boardQuery }, async ({ orgId, query }) => {
  if (query.filter && query.segmentId) throw new ApiError("bad_request", "Give a segment or a filter, not both");
  const definition = query.segmentId ? (await getSegment(orgId, new ObjectId(query.segmentId))).definition : (query.filter ?? null);
  return journeyBoard(orgId, definition);
});
