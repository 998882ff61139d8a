"use client";

import useSWR from "swr";
import type { WebhookDelivery, WebhookEndpoint } from "@/lib/schemas/outbound-webhook";
import { fetcher } from "./fetcher";

/** Polled too: an endpoint can be switched off by a failing delivery while the page is open. */
export function useWebhookEndpoints(fallback: WebhookEndpoint[]) {
  return useSWR<{ endpoints: WebhookEndpoint[] }>("/api/webhook-endpoints", fetcher, { fallbackData: { endpoints: fallback }, refreshInterval: 5000 });
}

/** An endpoint's newest deliveries, polled: attempts land in the background as the jobs run. */
export function useWebhookDeliveries(endpointId: string | null) {
  return useSWR<{ deliveries: WebhookDelivery[]; nextCursor: string | null }>(endpointId ? `/api/webhook-endpoints/${endpointId}/deliveries?limit=25` : null, fetcher, { refreshInterval: 2000 });
}
