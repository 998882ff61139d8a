import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { recordActivity } from "@/lib/audit/audit";
import { getCampaign } from "@/lib/campaigns/campaigns";
import { exportRecipientsCsv } from "@/lib/campaigns/results";

export const runtime = "nodejs";

// GET /api/campaigns/[id]/export: every recipient with their funnel times as a streamed CSV, audited
export const GET = withOrg({ permission: "manage:campaigns", params: z.object({ id: idParam }) }, async ({ orgId, actor, params }) => {
  const c = await getCampaign(orgId, params.id);
  await recordActivity(orgId, actor, { action: "campaign.exported", entityType: "campaign", entityId: c._id });
  const safeName = c.name.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 60) || "campaign";
  return new Response(exportRecipientsCsv(orgId, c._id), {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${safeName}-recipients.csv"`, "cache-control": "no-store" },
  });
});
