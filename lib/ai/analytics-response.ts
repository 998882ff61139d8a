import type { ConversationAnalyticsDoc, ConversationAnalyticsResponse } from "@/lib/schemas/ai";

export function toAnalyticsResponse(a: ConversationAnalyticsDoc): ConversationAnalyticsResponse {
  return { sentiment: a.sentiment, intents: a.intents, topics: a.topics, summary: a.summary, satisfaction: a.satisfaction, analyzedAt: a.analyzedAt.toISOString() };
}
