import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { deleteSegment, getSegment, toSegmentResponse, updateSegment } from "@/lib/contacts/segments/store";
import { segmentBody } from "@/lib/schemas/segment";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/segments/[id]: one saved segment
export const GET = withOrg({ permission: "view:contacts", params }, async ({ orgId, params }) => ({ segment: toSegmentResponse(await getSegment(orgId, params.id)) }));

// PUT /api/segments/[id]: rename it or change its definition
export const PUT = withOrg({ permission: "manage:contacts", params, body: segmentBody }, async ({ orgId, actor, params, body }) => ({
  segment: toSegmentResponse(await updateSegment(orgId, actor, params.id, body)),
}));

// DELETE /api/segments/[id]: delete a saved segment (its contacts stay)
export const DELETE = withOrg({ permission: "manage:contacts", params }, async ({ orgId, actor, params }) => {
  await deleteSegment(orgId, actor, params.id);
  return { ok: true };
});
