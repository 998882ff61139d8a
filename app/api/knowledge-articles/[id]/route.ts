import { z } from "zod";
import { getArticleOrThrow, toArticleResponse, updateArticle } from "@/lib/ai/knowledge";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { diff, recordActivity } from "@/lib/audit/audit";
import { updateKnowledgeArticleBody } from "@/lib/schemas/ai";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// PATCH /api/knowledge-articles/[id]: edit, activate or deactivate an article (admin)
export const PATCH = withOrg({ permission: "system:admin", params, body: updateKnowledgeArticleBody }, async ({ orgId, params, body, actor }) => {
  const before = await getArticleOrThrow(orgId, params.id);
  const change = diff(before, body);
  if (!change.changed) return { article: toArticleResponse(before) };
  const after = await updateArticle(orgId, params.id, body);
  // Bodies can be long: the audit log records that they changed, not their text.
  const trim = (o: Record<string, unknown>) => ("body" in o ? { ...o, body: "(changed)" } : o);
  await recordActivity(orgId, actor, { action: "knowledge_article.updated", entityType: "knowledge_article", entityId: before._id, before: trim(change.before), after: trim(change.after) });
  return { article: toArticleResponse(after) };
});

// DELETE /api/knowledge-articles/[id]: remove an article (admin)
export const DELETE = withOrg({ permission: "system:admin", params }, async ({ orgId, db, params, actor }) => {
  const before = await getArticleOrThrow(orgId, params.id);
  await db("knowledge_articles").deleteOne({ _id: params.id });
  await recordActivity(orgId, actor, { action: "knowledge_article.deleted", entityType: "knowledge_article", entityId: before._id, before: { title: before.title } });
  return { ok: true };
});
