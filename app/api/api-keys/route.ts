import { withOrg } from "@/lib/api/with-org";
import { createApiKey, listApiKeys, toApiKeyResponse } from "@/lib/api-keys/keys";
import { createApiKeyBody } from "@/lib/schemas/api-key";

export const runtime = "nodejs";

// GET /api/api-keys: the organization's API keys, newest first (prefixes only: secrets are never stored)
export const GET = withOrg({ permission: "system:admin" }, async ({ orgId }) => ({ apiKeys: (await listApiKeys(orgId)).map(toApiKeyResponse) }));

// POST /api/api-keys: create a key; the answer carries the secret, the only time it is shown
export const POST = withOrg({ permission: "system:admin", body: createApiKeyBody }, async ({ orgId, actor, body }) => {
  const { apiKey, secret } = await createApiKey(orgId, actor, body);
  return Response.json({ apiKey: toApiKeyResponse(apiKey), secret }, { status: 201 });
});
