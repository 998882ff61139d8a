// GET /r/[token]: a campaign's tracked URL button; counts the click, then redirects to the campaign's link
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { withPublic } from "@/lib/api/with-public";
import { followTrackedLink } from "@/lib/campaigns/clicks";

export const runtime = "nodejs";

// Public by design: a customer's phone opens it. The token is MAC'd (lib/campaigns/recipient-rules.ts).
export const GET = withPublic({ access: "public", params: z.object({ token: z.string().max(64) }) }, async ({ params }) => {
  const url = await followTrackedLink(params.token);
  if (!url) throw new ApiError("not_found", "This link is not valid or has expired");
  return new Response(null, { status: 302, headers: { location: url, "cache-control": "no-store" } });
});
