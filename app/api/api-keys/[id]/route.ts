import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { revokeApiKey, toApiKeyResponse } from "@/lib/api-keys/keys";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// DELETE /api/api-keys/[id]: revoke a key; requests with it get 401 from then on (the key stays listed as revoked)
export const DELETE = withOrg({ permission: "system:admin", params }, async ({ orgId, actor, params }) => ({ apiKey: toApiKeyResponse(await revokeApiKey(orgId, actor, params.id)) }));
