import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { withCommandScope } from "@/lib/db/command-log";
import type { NextRequest } from "next/server";
import { ApiError, toErrorResponse } from "@/lib/api/errors";
import { readRawBody } from "@/lib/api/read-json";
import { env } from "@/lib/env";

/** `sha256=` + lowercase hex HMAC-SHA256 of the raw body with the app secret, as Meta signs it. */
export function signWhatsAppBody(raw: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac("sha256", appSecret).update(raw).digest("hex")}`;
}

/**
 * Constant-time check of `X-Hub-Signature-256` over the bytes exactly as received: Meta signs its
 * escaped-unicode serialisation, so re-serialised JSON would not match.
 */
export function isValidWhatsAppSignature(raw: Buffer, header: string | null, appSecret: string): boolean {
  if (!header) return false;
  const expected = Buffer.from(signWhatsAppBody(raw, appSecret));
  const given = Buffer.from(header.trim().toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export type SignedWebhook = { req: NextRequest; raw: Buffer; requestId: string };

/**
 * The wrapper for Meta's POSTs: size cap (413), then the signature (401), then the handler; every
 * throw becomes `{ error: { code, message } }`. It fails closed: without an app secret nothing is
 * accepted (503, so Meta keeps retrying until it is configured), and the only bypass is
 * DEV_SKIP_SIGNATURES, which lib/env.ts refuses in production.
 */
export function withWhatsAppSignature(handler: (ctx: SignedWebhook) => Promise<Response>) {
  return (req: NextRequest): Promise<Response> =>
    withCommandScope("route", async () => {
      const requestId = req.headers.get("x-request-id") ?? randomUUID();
      try {
        const e = env();
        const raw = await readRawBody(req, e.WHATSAPP_WEBHOOK_MAX_BYTES);
        if (!e.DEV_SKIP_SIGNATURES) {
          if (!e.WHATSAPP_APP_SECRET) throw new ApiError("service_unavailable", "WHATSAPP_APP_SECRET is not configured; webhooks cannot be verified");
          const header = req.headers.get("x-hub-signature-256");
          if (!header) throw new ApiError("unauthorized", "Missing X-Hub-Signature-256 header");
          if (!isValidWhatsAppSignature(raw, header, e.WHATSAPP_APP_SECRET)) throw new ApiError("unauthorized", "Invalid X-Hub-Signature-256 signature");
        }
        return await handler({ req, raw, requestId });
      } catch (err) {
        return toErrorResponse(err, { requestId, path: "/api/webhooks/whatsapp" });
      }
    });
}
