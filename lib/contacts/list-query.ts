import { ObjectId } from "mongodb";
import type { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { ContactListQuery, contactListQuery } from "@/lib/schemas/contact-directory";
import type { SegmentGroup } from "@/lib/schemas/segment";
import { getSegment } from "./segments/store";

type AudienceParams = Pick<z.output<typeof contactListQuery>, "filter" | "segmentId">;

/** An audience from a URL: a saved segment by id, or a definition in `filter` (not both); none is everyone. */
export async function resolveAudience(orgId: ObjectId, { filter, segmentId }: AudienceParams): Promise<SegmentGroup | null> {
  if (segmentId && filter) throw new ApiError("bad_request", "Give a segment or a filter, not both");
  return segmentId ? (await getSegment(orgId, new ObjectId(segmentId))).definition : (filter ?? null);
}

/** The directory's query with its filter resolved into one definition. */
export async function resolveListQuery(orgId: ObjectId, q: z.output<typeof contactListQuery>): Promise<ContactListQuery> {
  const { filter, segmentId, ...rest } = q;
  return { ...rest, definition: await resolveAudience(orgId, { filter, segmentId }) };
}
