import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { deleteCannedResponse, toCannedResponse, updateCannedResponse } from "@/lib/inbox/canned-responses";
import { updateCannedResponseBody } from "@/lib/schemas/canned-response";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// PATCH /api/canned-responses/[id]: edit a saved reply (supervisors and admins)
export const PATCH = withOrg({ permission: "manage:canned_responses", params, body: updateCannedResponseBody }, async ({ orgId, actor, params, body }) => ({
  cannedResponse: toCannedResponse(await updateCannedResponse(orgId, actor, params.id, body)),
}));

// DELETE /api/canned-responses/[id]: remove a saved reply (supervisors and admins)
export const DELETE = withOrg({ permission: "manage:canned_responses", params }, async ({ orgId, actor, params }) => {
  await deleteCannedResponse(orgId, actor, params.id);
  return { ok: true };
});
