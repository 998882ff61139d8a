import { withOrg } from "@/lib/api/with-org";
import { createSegment, listSegments, toSegmentResponse } from "@/lib/contacts/segments/store";
import { segmentBody } from "@/lib/schemas/segment";

export const runtime = "nodejs";

// GET /api/segments: the organization's saved segments, by name
export const GET = withOrg({ permission: "view:contacts" }, async ({ orgId }) => ({ segments: (await listSegments(orgId)).map(toSegmentResponse) }));

// POST /api/segments: save a segment (its definition must compile)
export const POST = withOrg({ permission: "manage:contacts", body: segmentBody }, async ({ orgId, actor, body }) =>
  Response.json({ segment: toSegmentResponse(await createSegment(orgId, actor, body)) }, { status: 201 }),
);
