import { randomUUID } from "node:crypto";
import { withCommandScope } from "@/lib/db/command-log";
import type { ObjectId } from "mongodb";
import type { NextRequest } from "next/server";
import { clientAddress } from "@/lib/auth/client-address";
import { can, type Permission } from "@/lib/auth/permissions";
import { getRequestUser, type SessionUser } from "@/lib/auth/session";
import type { Actor } from "@/lib/audit/audit";
import { scoped, type Scoped } from "@/lib/db/scoped";
import { ApiError, toErrorResponse } from "./errors";
import { assertSameOrigin } from "./same-origin";
import { parseInput, type InputOptions, type Out, type RouteContext, type Schema } from "./parse-input";

export type OrgContext<P extends Schema, Q extends Schema, B extends Schema> = {
  req: NextRequest;
  requestId: string;
  user: SessionUser;
  orgId: ObjectId;
  /** The organization-pinned collections: the only database access request code needs. */
  db: Scoped;
  actor: Actor;
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
};

type Options<P extends Schema, Q extends Schema, B extends Schema> = InputOptions<P, Q, B> & { permission?: Permission };

/**
 * The route wrapper for signed-in users: session -> active user -> permission -> zod-parsed params,
 * query and body -> handler; every throw becomes `{ error: { code, message } }` with its status.
 * A handler returns a Response or a JSON-serialisable value.
 */
export function withOrg<P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined>(
  options: Options<P, Q, B>,
  handler: (ctx: OrgContext<P, Q, B>) => Promise<unknown>,
) {
  return (req: NextRequest, route: RouteContext): Promise<Response> =>
    withCommandScope("route", async () => {
      const requestId = req.headers.get("x-request-id") ?? randomUUID();
      try {
        assertSameOrigin(req);
        const user = await getRequestUser(req);
        if (!user) throw new ApiError("unauthorized", "Sign in to continue");
        if (options.permission && !can(user.role, options.permission)) {
          throw new ApiError("forbidden", "Your role does not allow this action");
        }
        const { params, query, body } = await parseInput(req, route, options);
        const ip = clientAddress(req.headers);
        const result = await handler({
          req,
          requestId,
          user,
          orgId: user.orgId,
          db: scoped(user.orgId),
          actor: { id: user._id, name: user.name, ip },
          params,
          query,
          body,
        });
        return result instanceof Response ? result : Response.json(result ?? { ok: true });
      } catch (err) {
        return toErrorResponse(err, { requestId, path: req.nextUrl.pathname });
      }
    });
}
