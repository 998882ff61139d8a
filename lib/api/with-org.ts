import { randomUUID } from "node:crypto";
import type { ObjectId } from "mongodb";
import type { NextRequest } from "next/server";
import type { z } from "zod";
import { can, type Permission } from "@/lib/auth/permissions";
import { getRequestUser, type SessionUser } from "@/lib/auth/session";
import type { Actor } from "@/lib/audit/audit";
import { scoped, type Scoped } from "@/lib/db/scoped";
import { ApiError, toErrorResponse } from "./errors";
import { assertSafeKeys, DEFAULT_MAX_BODY_BYTES, parseJson, readRawBody } from "./read-json";

type Schema = z.ZodType | undefined;
type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

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

type Options<P extends Schema, Q extends Schema, B extends Schema> = {
  permission?: Permission;
  params?: P;
  query?: Q;
  body?: B;
  maxBodyBytes?: number;
};

type RouteContext = { params: Promise<Record<string, string | string[]>> };

/**
 * The route wrapper for signed-in users: session -> active user -> permission -> zod-parsed params,
 * query and body -> handler; every throw becomes `{ error: { code, message } }` with its status.
 * A handler returns a Response or a JSON-serialisable value.
 */
export function withOrg<P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined>(
  options: Options<P, Q, B>,
  handler: (ctx: OrgContext<P, Q, B>) => Promise<unknown>,
) {
  return async (req: NextRequest, route: RouteContext): Promise<Response> => {
    const requestId = req.headers.get("x-request-id") ?? randomUUID();
    try {
      const user = await getRequestUser(req);
      if (!user) throw new ApiError("unauthorized", "Sign in to continue");
      if (options.permission && !can(user.role, options.permission)) {
        throw new ApiError("forbidden", "Your role does not allow this action");
      }
      const params = options.params ? options.params.parse(await route.params) : undefined;
      const query = options.query ? options.query.parse(Object.fromEntries(req.nextUrl.searchParams)) : undefined;
      let body: unknown;
      if (options.body) {
        const json = parseJson(await readRawBody(req, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));
        assertSafeKeys(json);
        body = options.body.parse(json);
      }
      const ip = req.headers.get("x-forwarded-for")?.split(",")[0]?.trim() ?? null;
      const result = await handler({
        req,
        requestId,
        user,
        orgId: user.orgId,
        db: scoped(user.orgId),
        actor: { id: user._id, name: user.name, ip },
        params: params as Out<P>,
        query: query as Out<Q>,
        body: body as Out<B>,
      });
      return result instanceof Response ? result : Response.json(result ?? { ok: true });
    } catch (err) {
      return toErrorResponse(err, { requestId, path: req.nextUrl.pathname });
    }
  };
}
