import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { getCampaign } from "@/lib/campaigns/campaigns";
import { retarget } from "@/lib/campaigns/results";
import { retargetBody } from "@/lib/schemas/campaign";

export const runtime = "nodejs";

// POST /api/campaigns/[id]/retarget: the contacts at a funnel step ({ step }) become a list and a saved segment
export const POST = withOrg({ permission: "manage:campaigns", params: z.object({ id: idParam }), body: retargetBody }, async ({ orgId, actor, params, body }) =>
  Response.json({ retarget: await retarget(orgId, actor, await getCampaign(orgId, params.id), body.step) }, { status: 201 }),
);
