import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { pauseByPerson } from "@/lib/campaigns/campaigns";
import { toCampaignResponse } from "@/lib/campaigns/results";

export const runtime = "nodejs";

// POST /api/campaigns/[id]/pause: stop sending; queued recipients wait for the resume
export const POST = withOrg({ permission: "manage:campaigns", params: z.object({ id: idParam }) }, async ({ orgId, actor, params }) => ({
  campaign: toCampaignResponse(await pauseByPerson(orgId, actor, params.id)),
}));
