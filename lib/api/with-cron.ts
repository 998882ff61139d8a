import { timingSafeEqual } from "node:crypto";
import { withCommandScope } from "@/lib/db/command-log";
import type { NextRequest } from "next/server";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { ApiError, toErrorResponse } from "./errors";
import { readRawBody } from "./read-json";
import { deliveryFrom, signaturesSkipped, verifyQstashSignature, type QstashDelivery } from "./with-qstash";

type RouteContext = { params: Promise<Record<string, string | string[]>> };

function bearerMatches(header: string | null, secret: string | undefined): boolean {
  if (!secret || !header) return false;
  const given = Buffer.from(header);
  const expected = Buffer.from(`Bearer ${secret}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The route wrapper for scheduled jobs: Vercel cron (`Authorization: Bearer CRON_SECRET`) or a QStash
 * schedule (a valid `Upstash-Signature`). Fails closed: with CRON_SECRET unset only a valid QStash
 * signature passes (or DEV_SKIP_SIGNATURES outside production). `delivery` is null for Vercel cron.
 */
export function withCron(
  handler: (ctx: { req: NextRequest; params: Record<string, string | string[]>; delivery: QstashDelivery | null }) => Promise<Response>,
) {
  return (req: NextRequest, route: RouteContext): Promise<Response> =>
    withCommandScope("route", async () => {
      try {
        let delivery: QstashDelivery | null = null;
        if (!bearerMatches(req.headers.get("authorization"), env().CRON_SECRET)) {
          const signed = req.headers.has("upstash-signature")
            ? await verifyQstashSignature(req, (await readRawBody(req, 64 * 1024)).toString("utf8"))
            : { ok: false as const, reason: "no cron secret or QStash signature" };
          if (signed.ok) delivery = deliveryFrom(req);
          else if (!signaturesSkipped()) {
            log.warn("cron.unauthorized", { path: req.nextUrl.pathname, reason: signed.reason });
            throw new ApiError("unauthorized", "Invalid or missing cron secret");
          }
        }
        return await handler({ req, params: await route.params, delivery });
      } catch (err) {
        return toErrorResponse(err, { path: req.nextUrl.pathname });
      }
    });
}
