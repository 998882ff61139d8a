import { ObjectId, type Filter } from "mongodb";
import { toRunResponse } from "@/lib/ai/run-log";
import { withOrg } from "@/lib/api/with-org";
import type { AiRunDoc } from "@/lib/schemas/ai";
import { listAiRunsQuery } from "@/lib/schemas/ai";

export const runtime = "nodejs";

// GET /api/ai-runs: the run log, newest first, cursor-paginated (admin)
export const GET = withOrg({ permission: "system:admin", query: listAiRunsQuery }, async ({ db, query }) => {
  const filter: Filter<AiRunDoc> = {};
  if (query.cursor) filter._id = { $lt: new ObjectId(query.cursor) };
  if (query.agentType) filter.agentType = query.agentType;
  if (query.outcome) filter.outcome = query.outcome;
  if (query.conversationId) filter.conversationId = new ObjectId(query.conversationId);
  // _id order is creation order (ObjectIds are time-prefixed), so the cursor is the last id seen.
  const rows = await db("ai_runs").find(filter, { sort: { _id: -1 }, limit: query.limit + 1 }).toArray();
  const page = rows.slice(0, query.limit);
  // The knowledge articles the page's runs cited, by id, so the log shows titles (no $lookup).
  const articleIds = [...new Map(page.flatMap((r) => r.knowledgeArticleIds).map((id) => [id.toHexString(), id])).values()];
  const articles = articleIds.length ? await db("knowledge_articles").find({ _id: { $in: articleIds } }, { projection: { title: 1 } }).toArray() : [];
  return {
    runs: page.map(toRunResponse),
    articleTitles: Object.fromEntries(articles.map((a) => [a._id.toHexString(), a.title])),
    nextCursor: rows.length > query.limit ? page.at(-1)!._id.toHexString() : null,
  };
});
