import { randomUUID } from "node:crypto";
import { withCommandScope } from "@/lib/db/command-log";
import type { NextRequest } from "next/server";
import { toErrorResponse } from "./errors";
import { parseInput, type InputOptions, type Out, type RouteContext, type Schema } from "./parse-input";

export type PublicContext<P extends Schema, Q extends Schema, B extends Schema> = {
  req: NextRequest;
  requestId: string;
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
};

/**
 * The route wrapper for routes anyone may call (first-run setup): the same parsing and error body
 * as `withOrg`, without a session. `access: "public"` is the route's declared permission: every
 * route names one, so a route without a session check is a choice, not an omission.
 */
export function withPublic<P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined>(
  options: InputOptions<P, Q, B> & { access: "public" },
  handler: (ctx: PublicContext<P, Q, B>) => Promise<unknown>,
) {
  return (req: NextRequest, route: RouteContext): Promise<Response> =>
    withCommandScope("route", async () => {
      const requestId = req.headers.get("x-request-id") ?? randomUUID();
      try {
        const input = await parseInput(req, route, options);
        const result = await handler({ req, requestId, ...input });
        return result instanceof Response ? result : Response.json(result ?? { ok: true });
      } catch (err) {
        return toErrorResponse(err, { requestId, path: req.nextUrl.pathname });
      }
    });
}
