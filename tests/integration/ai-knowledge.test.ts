import { describe, expect, it } from "vitest";
import { GET as listArticles, POST as createArticleRoute } from "@/app/api/knowledge-articles/route";
import { DELETE as deleteArticle, PATCH as patchArticle } from "@/app/api/knowledge-articles/[id]/route";
import { createArticle, keywordsOf, rankArticles, stem } from "@/lib/ai/knowledge";
import { scoped } from "@/lib/db/scoped";
import { createOrg, request, routeParams } from "../support/factories";

describe("knowledge ranking (portable: keywords multikey index, scored by overlap)", () => {
  it("stems words so different forms meet", () => {
    expect(["shipping", "ships", "shipped", "ship"].map(stem)).toEqual(["ship", "ship", "ship", "ship"]);
    expect(keywordsOf("Do you ship to Canada? What are the delivery times?")).toEqual(["ship", "canada", "delivery", "time"]);
  });

  it("ranks by overlap with title matches counting double, ignores inactive articles and other organizations", async () => {
    const { orgId } = await createOrg();
    const other = await createOrg("Other");
    const shipping = await createArticle(orgId, { title: "Shipping times", body: "We ship to Canada in 3-5 days. Delivery is tracked.", active: true });
    const returns = await createArticle(orgId, { title: "Returns", body: "Return within 30 days. Shipping labels are prepaid.", active: true });
    await createArticle(orgId, { title: "Canada shipping (old)", body: "Old shipping rules for Canada.", active: false });
    await createArticle(other.orgId, { title: "Canada shipping", body: "Canada shipping Canada shipping", active: true });
    await createArticle(orgId, { title: "Opening hours", body: "Monday to Friday 9-18.", active: true });

    const ranked = await rankArticles(orgId, "How long does shipping to Canada take?");
    expect(ranked.map((r) => [r.title, r.score])).toEqual([
      ["Shipping times", 3],
      ["Returns", 1],
    ]);
    expect(ranked[0]!._id).toEqual(shipping._id);
    expect(ranked[1]!._id).toEqual(returns._id);
    expect(await rankArticles(orgId, "hello there")).toEqual([]);
  });

  it("uses the keywords index", async () => {
    const { orgId } = await createOrg();
    await createArticle(orgId, { title: "Payments", body: "Visa and PayPal", active: true });
    const indexes = (await import("@/lib/db/indexes")).indexes.knowledge_articles;
    expect(indexes.map((i) => i.key)).toContainEqual({ orgId: 1, keywords: 1 });
    const stored = await scoped(orgId)("knowledge_articles").findOne({ title: "Payments" });
    expect(stored!.keywords).toEqual(["payment", "visa", "paypal"]);
  });
});

describe("knowledge base API (admin)", () => {
  it("creates, lists, edits (re-indexing keywords), deactivates and deletes articles, all audited", async () => {
    const { orgId, users } = await createOrg();
    const created = await createArticleRoute(await request(users.admin, "/api/knowledge-articles", { method: "POST", body: { title: " Returns ", body: "Return within 30 days." } }), routeParams({}));
    expect(created.status).toBe(201);
    const { article } = await created.json();
    expect(article).toMatchObject({ title: "Returns", body: "Return within 30 days.", active: true });

    const id = article.id as string;
    const edited = await patchArticle(await request(users.admin, `/api/knowledge-articles/${id}`, { method: "PATCH", body: { body: "Refunds within 5 business days." } }), routeParams({ id }));
    expect((await edited.json()).article.body).toBe("Refunds within 5 business days.");
    expect((await rankArticles(orgId, "refund"))[0]?.title).toBe("Returns");
    expect(await rankArticles(orgId, "days return")).toHaveLength(1);

    await patchArticle(await request(users.admin, `/api/knowledge-articles/${id}`, { method: "PATCH", body: { active: false } }), routeParams({ id }));
    expect(await rankArticles(orgId, "refund")).toEqual([]);

    const list = await (await listArticles(await request(users.admin, "/api/knowledge-articles"), routeParams({}))).json();
    expect(list.articles).toHaveLength(1);
    expect((await deleteArticle(await request(users.admin, `/api/knowledge-articles/${id}`, { method: "DELETE" }), routeParams({ id }))).status).toBe(200);
    expect(await scoped(orgId)("knowledge_articles").countDocuments()).toBe(0);

    const audit = await scoped(orgId)("activity_logs").find({ entityType: "knowledge_article" }, { sort: { at: 1 } }).toArray();
    expect(audit.map((a) => [a.action, a.before, a.after])).toEqual([
      ["knowledge_article.created", null, { title: "Returns", active: true }],
      ["knowledge_article.updated", { body: "(changed)" }, { body: "(changed)" }],
      ["knowledge_article.updated", { active: true }, { active: false }],
      ["knowledge_article.deleted", { title: "Returns" }, null],
    ]);
  });

  describe("bad input gets a clear error and writes nothing", () => {
    const cases: { name: string; as: "admin" | "agent" | null; body: unknown; status: number; error: { code: string; message: string } }[] = [
      { name: "signed out", as: null, body: { title: "x", body: "y" }, status: 401, error: { code: "unauthorized", message: "Sign in to continue" } },
      { name: "not an admin", as: "agent", body: { title: "x", body: "y" }, status: 403, error: { code: "forbidden", message: "Your role does not allow this action" } },
      { name: "empty title", as: "admin", body: { title: "  ", body: "y" }, status: 422, error: { code: "unprocessable_entity", message: "title: is required" } },
      { name: "missing body", as: "admin", body: { title: "x" }, status: 422, error: { code: "unprocessable_entity", message: "body: Invalid input: expected string, received undefined" } },
      { name: "unknown field", as: "admin", body: { title: "x", body: "y", keywords: ["z"] }, status: 422, error: { code: "unprocessable_entity", message: 'Unrecognized key: "keywords"' } },
    ];
    it.each(cases)("$name", async ({ as, body, status, error }) => {
      const { orgId, users } = await createOrg();
      const res = await createArticleRoute(await request(as ? users[as] : null, "/api/knowledge-articles", { method: "POST", body }), routeParams({}));
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual({ error });
      expect(await scoped(orgId)("knowledge_articles").countDocuments()).toBe(0);
    });

    it("404 for another organization's article", async () => {
      const a = await createOrg("A");
      const b = await createOrg("B");
      const article = await createArticle(b.orgId, { title: "B only", body: "secret", active: true });
      const id = article._id.toHexString();
      const res = await patchArticle(await request(a.users.admin, `/api/knowledge-articles/${id}`, { method: "PATCH", body: { active: false } }), routeParams({ id }));
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: "not_found", message: "Article not found" } });
    });
  });
});
