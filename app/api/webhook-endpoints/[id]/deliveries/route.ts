import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { listDeliveries, toWebhookDelivery } from "@/lib/outbound-webhooks/deliveries";
import { getWebhookEndpointOrThrow } from "@/lib/outbound-webhooks/endpoints";
import { listDeliveriesQuery } from "@/lib/schemas/outbound-webhook";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/webhook-endpoints/[id]/deliveries: the endpoint's delivery log, newest first (admin)
export const GET = withOrg({ permission: "system:admin", params, query: listDeliveriesQuery }, async ({ orgId, params, query }) => {
  await getWebhookEndpointOrThrow(orgId, params.id);
  const page = await listDeliveries(orgId, params.id, query);
  return { deliveries: page.deliveries.map(toWebhookDelivery), nextCursor: page.nextCursor };
});
