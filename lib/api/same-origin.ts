import type { NextRequest } from "next/server";
import { env } from "@/lib/env";
import { ApiError } from "./errors";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF defence for cookie-authenticated routes: a state-changing request must come from this
 * app's own pages. Browsers say where a request comes from in `Sec-Fetch-Site` (every current
 * browser) and `Origin` (every cross-origin and same-origin POST); a page on another port or
 * subdomain of the same site is "same-site", not "same-origin", and is refused too. A request with
 * neither header is not a browser's (curl, server-to-server) and carries no ambient cookie risk.
 */
export function assertSameOrigin(req: NextRequest): void {
  if (SAFE_METHODS.has(req.method)) return;
  const site = req.headers.get("sec-fetch-site");
  if (site) {
    // "none": the user typed the URL or used a bookmark, which cannot carry a forged body.
    if (site === "same-origin" || site === "none") return;
    throw new ApiError("forbidden", "Cross-site requests are not allowed; use the app itself");
  }
  const origin = req.headers.get("origin");
  if (origin && !allowedOrigins(req).has(origin)) throw new ApiError("forbidden", "Cross-site requests are not allowed; use the app itself");
}

function allowedOrigins(req: NextRequest): Set<string> {
  return new Set([new URL(env().APP_URL).origin, req.nextUrl.origin]);
}

/** JSON routes take only `application/json`: a form or `text/plain` body is how a cross-site page posts without a preflight. */
export function assertJsonBody(req: Request): void {
  const type = req.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") throw new ApiError("unsupported_media_type", "Send the body as JSON with Content-Type: application/json");
}
