import path from "node:path";
import type { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { v1Operations } from "@/lib/api/v1/openapi";
import { findFiles, ROOT, scanRoute } from "../support/access-declarations";
import { request } from "../support/factories";

/**
 * The OpenAPI document against the routes on disk: the same operations (path and method) and, for
 * each, the scope its route's withApiKey declares, read statically like the authorization matrix.
 */

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
const DOC = "/api/v1/openapi.json";
const onDisk = findFiles("app/api/v1", "route.ts")
  .map(scanRoute)
  .filter((r) => r.pattern !== DOC)
  .flatMap((r) => r.methods.map((m) => `${m.method} ${r.pattern} ${"access" in m && m.access.kind === "api-key" ? m.access.scope : "(no scope)"}`))
  .sort();

async function served() {
  const { GET } = (await import(path.join(ROOT, "app/api/v1/openapi.json/route.ts"))) as { GET: Handler };
  const res = await GET(await request(null, DOC), { params: Promise.resolve({}) });
  return { status: res.status, doc: (await res.json()) as { openapi: string; paths: Record<string, Record<string, { "x-scope": string; security: unknown; parameters: { name: string; in: string }[] }>> } };
}

describe("OpenAPI document", () => {
  it("is served publicly as OpenAPI 3.1", async () => {
    const { status, doc } = await served();
    expect(status).toBe(200);
    expect(doc.openapi).toBe("3.1.0");
  });

  it("lists exactly the v1 routes and methods on disk, each with the scope its route declares", async () => {
    const { doc } = await served();
    const documented = Object.entries(doc.paths)
      .flatMap(([p, methods]) => Object.entries(methods).map(([method, op]) => `${method.toUpperCase()} ${p.replace(/\{(\w+)\}/g, "[$1]")} ${op["x-scope"]}`))
      .sort();
    expect(onDisk.length).toBeGreaterThan(10);
    expect(documented).toEqual(onDisk);
    expect(v1Operations.map((o) => `${o.method} ${o.path} ${o.scope}`).sort()).toEqual(onDisk);
  });

  it("names every path parameter and the Idempotency-Key header of the send", async () => {
    const { doc } = await served();
    for (const [p, methods] of Object.entries(doc.paths)) {
      const names = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(methods)) expect(op.parameters.filter((x) => x.in === "path").map((x) => x.name), p).toEqual(names);
    }
    expect(doc.paths["/api/v1/conversations/{id}/messages"]!.post!.parameters).toContainEqual(expect.objectContaining({ name: "Idempotency-Key", in: "header", required: true }));
  });
});
