import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { cancelCampaign } from "@/lib/campaigns/campaigns";
import { toCampaignResponse } from "@/lib/campaigns/results";

export const runtime = "nodejs";

// POST /api/campaigns/[id]/cancel: drop every recipient not sent yet (messages already sent keep their funnel)
export const POST = withOrg({ permission: "manage:campaigns", params: z.object({ id: idParam }) }, async ({ orgId, actor, params }) => ({
  campaign: toCampaignResponse(await cancelCampaign(orgId, actor, params.id)),
}));
