import { withOrg } from "@/lib/api/with-org";
import { startBulkAction, toBulkActionResponse } from "@/lib/contacts/bulk";
import { bulkActionBody } from "@/lib/schemas/contact-bulk";

export const runtime = "nodejs";

// POST /api/contacts/bulk: tag, untag or delete every contact the selection matches, as a job (202 with its progress);
// zero matches change nothing and say so
export const POST = withOrg({ permission: "manage:contacts", body: bulkActionBody }, async ({ orgId, actor, body }) => {
  const started = await startBulkAction(orgId, actor, body);
  if ("matched" in started) return started;
  return Response.json({ bulkAction: toBulkActionResponse(started.bulkAction) }, { status: 202 });
});
