import { withApiKey } from "@/lib/api/with-api-key";
import { listSegments, toSegmentResponse } from "@/lib/contacts/segments/store";

export const runtime = "nodejs";

// GET /api/v1/segments: the organization's saved segments, by name (GET /api/v1/contacts?segmentId=... lists a segment's contacts)
export const GET = withApiKey({ scope: "contacts:read" }, async ({ orgId }) => ({ segments: (await listSegments(orgId)).map(toSegmentResponse) }));
