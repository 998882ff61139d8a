import type { Metadata } from "next";
import { ApiKeysManager } from "@/components/settings/api-keys-manager";
import { listApiKeys, toApiKeyResponse } from "@/lib/api-keys/keys";
import { requirePageUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  const user = await requirePageUser("system:admin");
  const keys = (await listApiKeys(user.orgId)).map(toApiKeyResponse);
  return <ApiKeysManager initial={keys} />;
}
