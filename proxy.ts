import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy } from "@/lib/security/headers";

/** Pages anyone may open (`/r/...`: tracked campaign links customers tap); every other page needs a session. */
const PUBLIC_PAGES = ["/sign-in", "/setup", "/simulator", "/r"];

/**
 * Pages only: every page gets a Content-Security-Policy with a fresh nonce (Next puts it on its own
 * scripts), and signed-out visitors of a private page go to the sign-in page. API routes protect
 * themselves in their wrappers (withOrg, withQstash, withWhatsAppSignature), which fail closed.
 */
export async function proxy(req: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const path = req.nextUrl.pathname;
  // The customer simulator page (dev and tests only) talks to the Graph API simulator on its own port.
  const simulator = path.startsWith("/simulator") && process.env.SIMULATOR_ENABLED === "true" && process.env.WHATSAPP_GRAPH_API_URL ? [new URL(process.env.WHATSAPP_GRAPH_API_URL).origin] : [];
  const csp = contentSecurityPolicy(nonce, { dev: process.env.NODE_ENV === "development", https: (process.env.APP_URL ?? "").startsWith("https://"), connect: simulator });
  if (!PUBLIC_PAGES.some((p) => path === p || path.startsWith(`${p}/`)) && !(await getToken({ req, secret: process.env.NEXTAUTH_SECRET }))) {
    const url = req.nextUrl.clone();
    url.pathname = "/sign-in";
    url.search = "";
    const from = path + req.nextUrl.search;
    if (from !== "/") url.searchParams.set("callbackUrl", from);
    return NextResponse.redirect(url);
  }
  const headers = new Headers(req.headers);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("content-security-policy", csp);
  return res;
}

export const config = {
  // Pages, not API routes, static files or Next's assets; prefetches need no fresh nonce.
  matcher: [
    {
      source: "/((?!api|_next/static|_next/image|favicon.ico|.*\\.(?:png|svg|ico|jpg|webp|js)$).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
