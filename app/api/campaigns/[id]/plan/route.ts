import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { getCampaign } from "@/lib/campaigns/campaigns";
import { planCampaign } from "@/lib/campaigns/plan";

export const runtime = "nodejs";

// GET /api/campaigns/[id]/plan: the pre-send plan (recipients after exclusions, cost, messaging limit, duration, first 20 messages)
export const GET = withOrg({ permission: "manage:campaigns", params: z.object({ id: idParam }) }, async ({ orgId, params }) => ({
  plan: await planCampaign(orgId, await getCampaign(orgId, params.id)),
}));
