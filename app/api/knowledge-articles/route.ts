import { withOrg } from "@/lib/api/with-org";
import { createArticle, listArticles, toArticleResponse } from "@/lib/ai/knowledge";
import { recordActivity } from "@/lib/audit/audit";
import { createKnowledgeArticleBody } from "@/lib/schemas/ai";

export const runtime = "nodejs";

// GET /api/knowledge-articles: the knowledge base the AI answers from (admin)
export const GET = withOrg({ permission: "system:admin" }, async ({ orgId }) => ({
  articles: (await listArticles(orgId)).map(toArticleResponse),
}));

// POST /api/knowledge-articles: add an article (admin)
export const POST = withOrg({ permission: "system:admin", body: createKnowledgeArticleBody }, async ({ orgId, body, actor }) => {
  const article = await createArticle(orgId, body);
  await recordActivity(orgId, actor, { action: "knowledge_article.created", entityType: "knowledge_article", entityId: article._id, after: { title: article.title, active: article.active } });
  return Response.json({ article: toArticleResponse(article) }, { status: 201 });
});
