import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { getCampaign } from "@/lib/campaigns/campaigns";
import { listRecipients } from "@/lib/campaigns/results";
import { retargetBody } from "@/lib/schemas/campaign";

export const runtime = "nodejs";

const query = z.object({ step: retargetBody.shape.step.optional(), cursor: idParam.optional(), limit: z.coerce.number().int().min(1).max(100).default(50) });

// GET /api/campaigns/[id]/recipients: who received what (optionally one funnel step), keyset pages
export const GET = withOrg({ permission: "manage:campaigns", params: z.object({ id: idParam }), query }, async ({ orgId, params, query }) => {
  await getCampaign(orgId, params.id);
  return listRecipients(orgId, params.id, { step: query.step, after: query.cursor, limit: query.limit });
});
