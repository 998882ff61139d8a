import { env } from "@/lib/env";
import type { DeliveryAttempt } from "@/lib/schemas/outbound-webhook";
import { signWebhook } from "./signature";
import { refusedTarget } from "./url-policy";

/** The first bytes of a response body kept in the delivery log. */
export const RESPONSE_EXCERPT_BYTES = 2048;

/**
 * One signed POST of a delivery's body. Every attempt signs anew with the current time (Standard
 * Webhooks receivers refuse timestamps older than a few minutes, so a retry must not reuse the
 * first attempt's signature); the id stays the event's. The timeout covers the whole exchange,
 * body included, and redirects are not followed (`redirect: "manual"`): a slow or redirecting
 * endpoint cannot hold the job or send the signed body somewhere else.
 */
export async function postSigned(target: { url: string; secret: string }, eventId: string, body: string, attempt: number): Promise<DeliveryAttempt> {
  const started = Date.now();
  const at = new Date(started);
  const result = (r: Pick<DeliveryAttempt, "responseStatus" | "responseBody" | "error">): DeliveryAttempt => ({ attempt, at, durationMs: Date.now() - started, ...r });
  const refused = await refusedTarget(target.url);
  if (refused) return result({ responseStatus: null, responseBody: null, error: `Refused: ${refused}` });
  const timestamp = Math.floor(started / 1000);
  const timeoutMs = env().OUTBOUND_WEBHOOK_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(target.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "WhatsApp-CRM-Webhooks/1.0",
        "webhook-id": eventId,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signWebhook(target.secret, eventId, timestamp, body),
      },
      body,
      redirect: "manual",
      signal,
    });
    const excerpt = await readExcerpt(res);
    if (res.status >= 300 && res.status < 400) {
      return result({ responseStatus: res.status, responseBody: excerpt, error: `Redirect to ${res.headers.get("location") ?? "(no location)"} not followed` });
    }
    return result({ responseStatus: res.status, responseBody: excerpt, error: res.ok ? null : `HTTP ${res.status}` });
  } catch (err) {
    if (signal.aborted) return result({ responseStatus: null, responseBody: null, error: `Timed out after ${timeoutMs} ms` });
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
    return result({ responseStatus: null, responseBody: null, error: `${err instanceof Error ? err.message : String(err)}${cause}`.slice(0, 500) });
  }
}

/** Reads at most RESPONSE_EXCERPT_BYTES and drops the rest (a huge or endless body must not fill memory). */
async function readExcerpt(res: Response): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < RESPONSE_EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString("utf8");
}
