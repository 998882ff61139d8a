import { withOrg } from "@/lib/api/with-org";
import { createCannedResponse, listCannedResponses, toCannedResponse } from "@/lib/inbox/canned-responses";
import { createCannedResponseBody } from "@/lib/schemas/canned-response";

export const runtime = "nodejs";

// GET /api/canned-responses: the saved replies the composer offers after "/"
export const GET = withOrg({ permission: "read:conversations" }, async ({ orgId }) => ({
  cannedResponses: (await listCannedResponses(orgId)).map(toCannedResponse),
}));

// POST /api/canned-responses: add a saved reply (supervisors and admins)
export const POST = withOrg({ permission: "manage:canned_responses", body: createCannedResponseBody }, async ({ orgId, actor, body }) =>
  Response.json({ cannedResponse: toCannedResponse(await createCannedResponse(orgId, actor, body)) }, { status: 201 }),
);
