import { withOrg } from "@/lib/api/with-org";
import { toBulkActionResponse } from "@/lib/contacts/bulk";
import { renameTag } from "@/lib/contacts/tags";
import { renameTagBody } from "@/lib/schemas/contact";

export const runtime = "nodejs";

// POST /api/contact-tags/rename: rename a tag on every contact (into an existing tag: merge them), as a bulk action
export const POST = withOrg({ permission: "manage:contacts", body: renameTagBody }, async ({ orgId, actor, body }) => {
  const started = await renameTag(orgId, actor, body.from, body.to);
  if ("matched" in started) return started;
  return Response.json({ bulkAction: toBulkActionResponse(started.bulkAction) }, { status: 202 });
});
