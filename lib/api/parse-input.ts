import type { NextRequest } from "next/server";
import type { z } from "zod";
import { assertJsonBody } from "./same-origin";
import { assertSafeKeys, DEFAULT_MAX_BODY_BYTES, parseJson, readRawBody } from "./read-json";

export type Schema = z.ZodType | undefined;
export type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;
export type RouteContext = { params: Promise<Record<string, string | string[]>> };

export type InputOptions<P extends Schema, Q extends Schema, B extends Schema> = {
  params?: P;
  query?: Q;
  body?: B;
  maxBodyBytes?: number;
};

/** Params, query and body parsed with their zod schemas (a body is size-capped and refused with `$` or dotted keys). Shared by every route wrapper. */
export async function parseInput<P extends Schema, Q extends Schema, B extends Schema>(
  req: NextRequest,
  route: RouteContext,
  options: InputOptions<P, Q, B>,
): Promise<{ params: Out<P>; query: Out<Q>; body: Out<B> }> {
  const params = options.params ? options.params.parse(await route.params) : undefined;
  const query = options.query ? options.query.parse(Object.fromEntries(req.nextUrl.searchParams)) : undefined;
  let body: unknown;
  if (options.body) {
    assertJsonBody(req);
    const json = parseJson(await readRawBody(req, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));
    assertSafeKeys(json);
    body = options.body.parse(json);
  }
  return { params: params as Out<P>, query: query as Out<Q>, body: body as Out<B> };
}
