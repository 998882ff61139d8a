import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { getCampaign } from "@/lib/campaigns/campaigns";
import { funnelTimeline } from "@/lib/campaigns/timeline";

export const runtime = "nodejs";

// GET /api/campaigns/[id]/timeline: the funnel hour by hour since the campaign began (cumulative counts)
export const GET = withOrg({ permission: "manage:campaigns", params: z.object({ id: idParam }) }, async ({ orgId, params }) => {
  await getCampaign(orgId, params.id);
  return { timeline: await funnelTimeline(orgId, params.id) };
});
