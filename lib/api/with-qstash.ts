import { randomUUID } from "node:crypto";
import { withCommandScope } from "@/lib/db/command-log";
import { Receiver } from "@upstash/qstash";
import type { NextRequest } from "next/server";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { ApiError, toErrorResponse } from "./errors";
import { readRawBody } from "./read-json";

/** QStash's largest message body. */
const MAX_BODY_BYTES = 1024 * 1024;

export type QstashDelivery = {
  /** `Upstash-Message-Id`: stable across retries of one message. */
  messageId: string;
  /** 1 on the first delivery (`Upstash-Retried` + 1). */
  attempt: number;
  scheduleId: string | null;
};

type RouteContext = { params: Promise<Record<string, string | string[]>> };

/**
 * Verifies an `Upstash-Signature` JWT with the SDK's Receiver (current key, then next) over the raw
 * body, and checks its `sub` against the URL QStash was told to call: APP_URL + this route's path.
 * The SDK's verifySignatureAppRouter skips that check and answers a bad signature with a 500 that
 * QStash retries, so it is not used. Returns the reason on failure (for logs, never for the caller).
 */
export async function verifyQstashSignature(req: NextRequest, rawBody: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const e = env();
  const signature = req.headers.get("upstash-signature");
  if (!signature) return { ok: false, reason: "missing Upstash-Signature header" };
  if (!e.QSTASH_CURRENT_SIGNING_KEY || !e.QSTASH_NEXT_SIGNING_KEY) {
    return { ok: false, reason: "QSTASH_CURRENT_SIGNING_KEY / QSTASH_NEXT_SIGNING_KEY are not set" };
  }
  // devMode false: the SDK must never swap in its own dev keys because QSTASH_DEV happens to be set.
  const receiver = new Receiver({ currentSigningKey: e.QSTASH_CURRENT_SIGNING_KEY, nextSigningKey: e.QSTASH_NEXT_SIGNING_KEY, devMode: false });
  try {
    await receiver.verify({ signature, body: rawBody, url: new URL(req.nextUrl.pathname, e.APP_URL).toString() });
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** Development-only escape hatch (refused in production by lib/env.ts, checked again here). */
export function signaturesSkipped(): boolean {
  const e = env();
  return e.DEV_SKIP_SIGNATURES && e.NODE_ENV !== "production";
}

export function deliveryFrom(req: NextRequest): QstashDelivery {
  const retried = Number(req.headers.get("upstash-retried") ?? "0");
  return {
    messageId: req.headers.get("upstash-message-id") ?? `unsigned-${randomUUID()}`,
    attempt: Number.isInteger(retried) && retried >= 0 ? retried + 1 : 1,
    scheduleId: req.headers.get("upstash-schedule-id"),
  };
}

/**
 * The route wrapper for QStash deliveries: raw body -> signature (fails closed: 401 and nothing
 * runs unless the signature is valid, or DEV_SKIP_SIGNATURES outside production) -> handler.
 */
export function withQstash(
  handler: (ctx: { req: NextRequest; params: Record<string, string | string[]>; rawBody: string; delivery: QstashDelivery }) => Promise<Response>,
) {
  return (req: NextRequest, route: RouteContext): Promise<Response> =>
    withCommandScope("route", async () => {
      try {
        const rawBody = (await readRawBody(req, MAX_BODY_BYTES)).toString("utf8");
        if (!signaturesSkipped()) {
          const check = await verifyQstashSignature(req, rawBody);
          if (!check.ok) {
            log.warn("jobs.signature_rejected", { path: req.nextUrl.pathname, reason: check.reason });
            throw new ApiError("unauthorized", "Invalid or missing QStash signature");
          }
        }
        return await handler({ req, params: await route.params, rawBody, delivery: deliveryFrom(req) });
      } catch (err) {
        return toErrorResponse(err, { path: req.nextUrl.pathname });
      }
    });
}
