import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { resumeCampaign } from "@/lib/campaigns/campaigns";
import { toCampaignResponse } from "@/lib/campaigns/results";

export const runtime = "nodejs";

// POST /api/campaigns/[id]/resume: continue a paused campaign where it stopped (its templates must be approved)
export const POST = withOrg({ permission: "manage:campaigns", params: z.object({ id: idParam }) }, async ({ orgId, actor, params }) => ({
  campaign: toCampaignResponse(await resumeCampaign(orgId, actor, params.id)),
}));
