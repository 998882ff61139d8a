import { describe, expect, it } from "vitest";
import { GET as listArticles, POST as createArticle } from "@/app/api/knowledge-articles/route";
import { scoped } from "@/lib/db/scoped";
import { createOrg, request, routeParams } from "../support/factories";

/**
 * The probe that found it: a page on another port of the same host posted a text/plain body to
 * POST /api/knowledge-articles with the admin's cookie and created an article. Every state-changing
 * cookie route goes through withOrg, so one route stands for all of them here (the authorization
 * matrix covers that every route uses the wrapper).
 */
const article = { title: "Planted by another site", body: "Our refund policy is whatever this page says." };
const APP = process.env.APP_URL!;

describe("cross-site request forgery", () => {
  it.each<{ name: string; headers: Record<string, string>; status: number; code: string }>([
    { name: "a text/plain body (a form-less cross-site POST, no preflight)", headers: { "content-type": "text/plain" }, status: 415, code: "unsupported_media_type" },
    { name: "a form body", headers: { "content-type": "application/x-www-form-urlencoded" }, status: 415, code: "unsupported_media_type" },
    { name: "a JSON body from another origin", headers: { "content-type": "application/json", origin: "http://evil.example" }, status: 403, code: "forbidden" },
    { name: "another port of the same host (same-site, not same-origin)", headers: { "content-type": "application/json", origin: "http://127.0.0.1:4000", "sec-fetch-site": "same-site" }, status: 403, code: "forbidden" },
    { name: "a cross-site fetch that hides its Origin", headers: { "content-type": "application/json", "sec-fetch-site": "cross-site" }, status: 403, code: "forbidden" },
  ])("refuses $name and writes nothing", async ({ headers, status, code }) => {
    const { orgId, users } = await createOrg();
    const res = await createArticle(await request(users.admin, "/api/knowledge-articles", { method: "POST", rawBody: JSON.stringify(article), headers }), routeParams({}));
    expect(res.status).toBe(status);
    expect((await res.json()).error.code).toBe(code);
    expect(await scoped(orgId)("knowledge_articles").countDocuments({})).toBe(0);
  });

  it("accepts the app's own pages and non-browser clients", async () => {
    const { orgId, users } = await createOrg();
    const own: Record<string, string>[] = [{ "sec-fetch-site": "same-origin", origin: new URL(APP).origin }, { origin: new URL(APP).origin }, {}];
    for (const headers of own) {
      const res = await createArticle(await request(users.admin, "/api/knowledge-articles", { method: "POST", body: article, headers }), routeParams({}));
      expect(res.status).toBe(201);
    }
    expect(await scoped(orgId)("knowledge_articles").countDocuments({})).toBe(3);
    // Reads stay readable from anywhere the cookie goes; the browser's CORS rules keep the response from another site.
    const read = await listArticles(await request(users.admin, "/api/knowledge-articles", { headers: { "sec-fetch-site": "cross-site" } }), routeParams({}));
    expect(read.status).toBe(200);
  });
});
