import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";

/**
 * Pages only: signed-out visitors go to the sign-in page. API routes protect themselves in their
 * wrappers (withOrg, withQstash, withWhatsAppSignature), which fail closed.
 */
export async function proxy(req: NextRequest) {
  const token = await getToken({ req, secret: process.env.NEXTAUTH_SECRET });
  if (token) return NextResponse.next();
  const url = req.nextUrl.clone();
  url.pathname = "/sign-in";
  url.search = "";
  const from = req.nextUrl.pathname + req.nextUrl.search;
  if (from !== "/") url.searchParams.set("callbackUrl", from);
  return NextResponse.redirect(url);
}

export const config = {
  matcher: ["/((?!api|_next|sign-in|setup|simulator|favicon.ico|.*\\.(?:png|svg|ico|jpg|webp)$).*)"],
};
