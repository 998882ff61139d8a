import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { recordActivity } from "@/lib/audit/audit";
import { getDeliveryOrThrow, replayDelivery, toWebhookDelivery } from "@/lib/outbound-webhooks/deliveries";
import { getWebhookEndpointOrThrow } from "@/lib/outbound-webhooks/endpoints";

export const runtime = "nodejs";
const params = z.object({ id: idParam, deliveryId: idParam });

// POST /api/webhook-endpoints/[id]/deliveries/[deliveryId]/replay: send a logged delivery again (admin)
export const POST = withOrg({ permission: "system:admin", params }, async ({ orgId, actor, params }) => {
  const endpoint = await getWebhookEndpointOrThrow(orgId, params.id);
  const original = await getDeliveryOrThrow(orgId, params.id, params.deliveryId);
  const replay = await replayDelivery(orgId, endpoint, original);
  await recordActivity(orgId, actor, { action: "webhook_delivery.replayed", entityType: "settings", entityId: endpoint._id, after: { eventId: original.eventId, eventType: original.eventType } });
  return Response.json({ delivery: toWebhookDelivery(replay) }, { status: 202 });
});
