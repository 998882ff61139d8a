import { withOrg } from "@/lib/api/with-org";
import { createWebhookEndpoint, listWebhookEndpoints, toWebhookEndpoint } from "@/lib/outbound-webhooks/endpoints";
import { createWebhookEndpointBody } from "@/lib/schemas/outbound-webhook";

export const runtime = "nodejs";

// GET /api/webhook-endpoints: the organization's outbound webhook endpoints (admin)
export const GET = withOrg({ permission: "system:admin" }, async ({ orgId }) => ({
  endpoints: (await listWebhookEndpoints(orgId)).map(toWebhookEndpoint),
}));

// POST /api/webhook-endpoints: add an endpoint; its signing secret is generated here (admin)
export const POST = withOrg({ permission: "system:admin", body: createWebhookEndpointBody }, async ({ orgId, actor, body }) =>
  Response.json({ endpoint: toWebhookEndpoint(await createWebhookEndpoint(orgId, actor, body)) }, { status: 201 }),
);
