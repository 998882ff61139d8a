import { ObjectId } from "mongodb";
import type { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { ContactListQuery, contactListQuery } from "@/lib/schemas/contact-directory";
import { getSegment } from "./segments/store";

/** The directory's query with its filter resolved: a saved segment by id, or a definition from the URL (not both). */
export async function resolveListQuery(orgId: ObjectId, q: z.output<typeof contactListQuery>): Promise<ContactListQuery> {
  const { filter, segmentId, ...rest } = q;
  if (segmentId && filter) throw new ApiError("bad_request", "Give a segment or a filter, not both");
  const definition = segmentId ? (await getSegment(orgId, new ObjectId(segmentId))).definition : (filter ?? null);
  return { ...rest, definition };
}
