import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { deleteCampaign, getCampaign, updateCampaign } from "@/lib/campaigns/campaigns";
import { toCampaignResponse } from "@/lib/campaigns/results";
import { campaignInput } from "@/lib/schemas/campaign";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/campaigns/[id]: one campaign with its live funnel (total, per variant, exclusions and failures by reason)
export const GET = withOrg({ permission: "manage:campaigns", params }, async ({ orgId, params }) => ({ campaign: toCampaignResponse(await getCampaign(orgId, params.id)) }));

// PUT /api/campaigns/[id]: change a draft or scheduled campaign
export const PUT = withOrg({ permission: "manage:campaigns", params, body: campaignInput }, async ({ orgId, actor, params, body }) => ({
  campaign: toCampaignResponse(await updateCampaign(orgId, actor, params.id, body)),
}));

// DELETE /api/campaigns/[id]: delete a draft (a started campaign is cancelled instead)
export const DELETE = withOrg({ permission: "manage:campaigns", params }, async ({ orgId, actor, params }) => {
  await deleteCampaign(orgId, actor, params.id);
  return { ok: true };
});
