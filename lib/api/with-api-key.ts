import { randomUUID } from "node:crypto";
import type { ObjectId } from "mongodb";
import type { NextRequest } from "next/server";
import { authenticateApiKey, touchApiKey } from "@/lib/api-keys/keys";
import { consumeRateLimit, type RateDecision } from "@/lib/api-keys/rate-limit";
import { clientAddress } from "@/lib/auth/client-address";
import type { Actor } from "@/lib/audit/audit";
import { withCommandScope } from "@/lib/db/command-log";
import { scoped, type Scoped } from "@/lib/db/scoped";
import type { ActingUser } from "@/lib/inbox/actions";
import { scopeGrants, type ApiScope } from "@/lib/schemas/api-key";
import type { ApiKeyDoc } from "@/lib/schemas/platform";
import { getSettings, type OrgSettings } from "@/lib/settings/settings";
import { ApiError, toErrorResponse, type ErrorBody } from "./errors";
import { parseInput, type InputOptions, type Out, type RouteContext, type Schema } from "./parse-input";

/** The key acting as a team member for the inbox's functions: it sees every conversation (as an admin would), named after the key. */
export type ApiActingUser = ActingUser & { settings: OrgSettings };

export type ApiKeyContext<P extends Schema, Q extends Schema, B extends Schema> = {
  req: NextRequest;
  requestId: string;
  apiKey: ApiKeyDoc;
  orgId: ObjectId;
  db: Scoped;
  /** Audit entries name the key: `API key "<name>"`, with the key's id as the actor id. */
  actor: Actor;
  /** For lib/inbox functions that take a user; reads the organization's settings (one query) on first use. */
  actingUser: () => Promise<ApiActingUser>;
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
};

type Options<P extends Schema, Q extends Schema, B extends Schema> = InputOptions<P, Q, B> & { scope: ApiScope };

function rateHeaders(decision: RateDecision, headers: Headers) {
  headers.set("x-ratelimit-limit", String(decision.limit));
  headers.set("x-ratelimit-remaining", String(decision.remaining));
  headers.set("x-ratelimit-reset", String(Math.ceil(decision.resetAt.getTime() / 1000)));
}

/** `Authorization: Bearer <secret>`; anything else is a 401 that says what is wrong. */
function bearerSecret(req: NextRequest): string {
  const header = req.headers.get("authorization");
  if (!header) throw new ApiError("unauthorized", "Send the API key as Authorization: Bearer <key>");
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new ApiError("unauthorized", "The Authorization header must be Bearer <key>");
  return match[1]!;
}

/**
 * The route wrapper for the public REST API (/api/v1): API key -> scope -> rate limit (shared by
 * every instance, in the database) -> zod-parsed params, query and body -> handler. No session and
 * no same-origin check: callers are servers, and a bearer key is not sent by browsers on their own.
 * Every error is `{ error: { code, message } }`; 429 carries Retry-After.
 */
export function withApiKey<P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined>(
  options: Options<P, Q, B>,
  handler: (ctx: ApiKeyContext<P, Q, B>) => Promise<unknown>,
) {
  return (req: NextRequest, route: RouteContext): Promise<Response> =>
    withCommandScope("route", async () => {
      const requestId = req.headers.get("x-request-id") ?? randomUUID();
      let decision: RateDecision | null = null;
      try {
        const apiKey = await authenticateApiKey(bearerSecret(req));
        if (!scopeGrants(apiKey.scopes, options.scope)) throw new ApiError("forbidden", `This API key lacks the ${options.scope} scope`);
        // Counted and touched together: two independent writes, one round trip of wait.
        [decision] = await Promise.all([consumeRateLimit(apiKey), touchApiKey(apiKey)]);
        if (!decision.allowed) {
          const headers = new Headers({ "retry-after": String(decision.retryAfterSeconds) });
          rateHeaders(decision, headers);
          const body: ErrorBody = { error: { code: "rate_limited", message: `Rate limit of ${decision.limit} requests per minute exceeded; retry after ${decision.retryAfterSeconds} s` } };
          return Response.json(body, { status: 429, headers });
        }
        const { params, query, body } = await parseInput(req, route, options);
        const orgId = apiKey.orgId;
        const name = `API key "${apiKey.name}"`;
        let acting: Promise<ApiActingUser> | null = null;
        const result = await handler({
          req,
          requestId,
          apiKey,
          orgId,
          db: scoped(orgId),
          actor: { id: apiKey._id, name, ip: clientAddress(req.headers) },
          actingUser: () => (acting ??= getSettings(orgId).then((settings) => ({ _id: apiKey._id, orgId, role: "admin" as const, name, settings }))),
          params,
          query,
          body,
        });
        const res = result instanceof Response ? result : Response.json(result ?? { ok: true });
        rateHeaders(decision, res.headers);
        return res;
      } catch (err) {
        const res = toErrorResponse(err, { requestId, path: req.nextUrl.pathname });
        if (decision) rateHeaders(decision, res.headers);
        return res;
      }
    });
}
