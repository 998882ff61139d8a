import type { Metadata } from "next";
import { WebhooksManager } from "@/components/outbound-webhooks/webhooks-manager";
import { requirePageUser } from "@/lib/auth/session";
import { listWebhookEndpoints, toWebhookEndpoint } from "@/lib/outbound-webhooks/endpoints";

export const metadata: Metadata = { title: "Webhooks" };

export default async function WebhooksPage() {
  const user = await requirePageUser("system:admin");
  const endpoints = (await listWebhookEndpoints(user.orgId)).map(toWebhookEndpoint);
  return <WebhooksManager initial={endpoints} />;
}
