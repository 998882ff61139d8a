import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { scheduleCampaign } from "@/lib/campaigns/campaigns";
import { toCampaignResponse } from "@/lib/campaigns/results";
import { scheduleBody } from "@/lib/schemas/campaign";

export const runtime = "nodejs";

// POST /api/campaigns/[id]/schedule: send at a future time ({ at: ISO with offset }), or back to draft with { at: null }
export const POST = withOrg({ permission: "manage:campaigns", params: z.object({ id: idParam }), body: scheduleBody }, async ({ orgId, actor, params, body }) => ({
  campaign: toCampaignResponse(await scheduleCampaign(orgId, actor, params.id, body.at ? new Date(body.at) : null)),
}));
