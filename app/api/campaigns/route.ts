import { z } from "zod";
import { withOrg } from "@/lib/api/with-org";
import { createCampaign, listCampaigns } from "@/lib/campaigns/campaigns";
import { toCampaignResponse } from "@/lib/campaigns/results";
import { campaignInput } from "@/lib/schemas/campaign";

export const runtime = "nodejs";

const listQuery = z.object({ cursor: z.string().max(80).optional(), limit: z.coerce.number().int().min(1).max(100).default(25) });

// GET /api/campaigns: the organization's campaigns, newest first (keyset pages)
export const GET = withOrg({ permission: "manage:campaigns", query: listQuery }, async ({ orgId, query }) => {
  const page = await listCampaigns(orgId, query);
  return { campaigns: page.campaigns.map(toCampaignResponse), nextCursor: page.nextCursor };
});

// POST /api/campaigns: a draft campaign (audience, template variants and their variables, exclusions)
export const POST = withOrg({ permission: "manage:campaigns", body: campaignInput }, async ({ orgId, actor, body }) =>
  Response.json({ campaign: toCampaignResponse(await createCampaign(orgId, actor, body)) }, { status: 201 }),
);
