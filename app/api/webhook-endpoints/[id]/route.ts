import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { deleteWebhookEndpoint, getWebhookEndpointOrThrow, toWebhookEndpoint, updateWebhookEndpoint } from "@/lib/outbound-webhooks/endpoints";
import { updateWebhookEndpointBody } from "@/lib/schemas/outbound-webhook";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/webhook-endpoints/[id]: one endpoint (admin)
export const GET = withOrg({ permission: "system:admin", params }, async ({ orgId, params }) => ({
  endpoint: toWebhookEndpoint(await getWebhookEndpointOrThrow(orgId, params.id)),
}));

// PATCH /api/webhook-endpoints/[id]: edit an endpoint, or re-enable a disabled one with `active: true` (admin)
export const PATCH = withOrg({ permission: "system:admin", params, body: updateWebhookEndpointBody }, async ({ orgId, actor, params, body }) => ({
  endpoint: toWebhookEndpoint(await updateWebhookEndpoint(orgId, actor, params.id, body)),
}));

// DELETE /api/webhook-endpoints/[id]: remove an endpoint and its delivery log (admin)
export const DELETE = withOrg({ permission: "system:admin", params }, async ({ orgId, actor, params }) => {
  await deleteWebhookEndpoint(orgId, actor, params.id);
  return { ok: true };
});
