import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { recordActivity } from "@/lib/audit/audit";
import { getCampaign } from "@/lib/campaigns/campaigns";
import { testSend } from "@/lib/campaigns/plan";
import { testSendBody } from "@/lib/schemas/campaign";

export const runtime = "nodejs";

// POST /api/campaigns/[id]/test: send a variant to one number ({ phone, variant }); it counts in no funnel
export const POST = withOrg({ permission: "manage:campaigns", params: z.object({ id: idParam }), body: testSendBody }, async ({ orgId, actor, params, body }) => {
  const m = await testSend(orgId, actor, await getCampaign(orgId, params.id), body);
  await recordActivity(orgId, actor, { action: "campaign.test_sent", entityType: "campaign", entityId: params.id, after: { variant: body.variant } });
  return { message: { id: m._id.toHexString(), status: m.status, text: m.text, error: m.error } };
});
