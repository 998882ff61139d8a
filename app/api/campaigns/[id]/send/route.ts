import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { startCampaign } from "@/lib/campaigns/campaigns";
import { toCampaignResponse } from "@/lib/campaigns/results";

export const runtime = "nodejs";

// POST /api/campaigns/[id]/send: send now (refused with the reason when a template is not approved or a variable is unmapped)
export const POST = withOrg({ permission: "manage:campaigns", params: z.object({ id: idParam }) }, async ({ orgId, actor, params }) =>
  Response.json({ campaign: toCampaignResponse(await startCampaign(orgId, actor, params.id)) }, { status: 202 }),
);
