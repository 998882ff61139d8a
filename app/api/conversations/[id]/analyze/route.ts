import { z } from "zod";
import { analyzeConversation } from "@/lib/ai/analysis-agent";
import { toAnalyticsResponse } from "@/lib/ai/analytics-response";
import { AiProviderError } from "@/lib/ai/provider";
import { ApiError } from "@/lib/api/errors";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { integrations } from "@/lib/env";
import { getConversationForUser } from "@/lib/inbox/access";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/conversations/[id]/analyze: the stored AI analysis of a conversation (null before the first)
export const GET = withOrg({ permission: "read:conversations", params }, async ({ user, db, params }) => {
  await getConversationForUser(user, params.id);
  const analysis = await db("conversation_analytics").findOne({ conversationId: params.id });
  return { analysis: analysis ? toAnalyticsResponse(analysis) : null, provider: integrations().ai };
});

// POST /api/conversations/[id]/analyze: analyse the conversation now (sentiment, intents, topics, summary, satisfaction).
// It calls the model and writes the result, so it needs what replying needs, not only read access.
export const POST = withOrg({ permission: "write:messages", params }, async ({ user, orgId, params }) => {
  await getConversationForUser(user, params.id);
  let result;
  try {
    result = await analyzeConversation(orgId, params.id);
  } catch (err) {
    if (err instanceof AiProviderError) throw new ApiError("service_unavailable", "The AI analysis is unavailable right now. Please try again in a moment.");
    throw err;
  }
  if (result.outcome === "skipped") {
    if (result.reason === "conversation not found") throw new ApiError("not_found", "Conversation not found");
    throw new ApiError("unprocessable_entity", `Nothing to analyse: ${result.reason}`);
  }
  return { analysis: toAnalyticsResponse(result.analytics), provider: integrations().ai };
});
