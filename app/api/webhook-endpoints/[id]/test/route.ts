import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { sendTestPing, toWebhookDelivery } from "@/lib/outbound-webhooks/deliveries";
import { getWebhookEndpointOrThrow } from "@/lib/outbound-webhooks/endpoints";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// POST /api/webhook-endpoints/[id]/test: send a signed `webhook.test` event to the endpoint (admin)
export const POST = withOrg({ permission: "system:admin", params }, async ({ orgId, params }) => {
  const endpoint = await getWebhookEndpointOrThrow(orgId, params.id);
  return Response.json({ delivery: toWebhookDelivery(await sendTestPing(orgId, endpoint)) }, { status: 202 });
});
