// POST /api/setup: first-run setup (organization, first admin, WhatsApp number); only while no user exists
import { withPublic } from "@/lib/api/with-public";
import { firstRunSetupBody } from "@/lib/schemas/setup";
import { completeFirstRunSetup } from "@/lib/setup/first-run";

export const runtime = "nodejs";

// Public by design: the setup token (server log or SETUP_TOKEN) is the credential, and the route
// answers 404 for good once any user exists.
export const POST = withPublic({ access: "public", body: firstRunSetupBody }, async ({ body }) => {
  const { orgId, userId } = await completeFirstRunSetup(body);
  return Response.json({ orgId: orgId.toHexString(), userId: userId.toHexString(), email: body.admin.email }, { status: 201 });
});
