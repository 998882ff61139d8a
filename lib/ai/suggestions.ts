import type { ObjectId } from "mongodb";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import { loadAgent } from "./agents";
import { buildConversationContext } from "./conversation-context";
import { AiProviderError, getAiProvider, type ProviderName } from "./provider";
import { recordRun } from "./run-log";

export const suggestionsOutput = z.object({
  drafts: z.array(z.string().trim().min(1).max(1000)).length(3).describe("Three different replies the agent could send next"),
});

const INSTRUCTION =
  "You are drafting for a human agent, not answering yourself. Write three different replies the agent could send next to the customer's latest message(s): " +
  "grounded only in the knowledge base and the conversation, short, friendly, in the customer's language. Vary them (e.g. direct answer, answer plus a question, empathetic). " +
  "Return JSON only.";

export type Suggestions = { drafts: string[]; provider: ProviderName; knowledge: { id: string; title: string }[] };

/** Three reply drafts for the composer, grounded in the conversation and the knowledge base. */
export async function suggestReplies(orgId: ObjectId, conversationId: ObjectId): Promise<Suggestions> {
  const conversation = await scoped(orgId)("conversations").findOne({ _id: conversationId });
  if (!conversation) throw new ApiError("not_found", "Conversation not found");
  const agent = await loadAgent(orgId, "conversation");
  const provider = await getAiProvider();
  const model = agent.model || provider.defaultModel;
  const context = await buildConversationContext(orgId, conversation);
  const base = { agent, provider: provider.name, model, conversationId, turn: 1, knowledgeArticleIds: context.knowledge.map((k) => k._id) };
  try {
    const res = await provider.generate({
      model,
      system: `${agent.systemPrompt}\n\n${INSTRUCTION}`,
      messages: [{ role: "user", parts: [{ type: "text", text: context.prompt.replace(/Decide the next step[^\n]*$/, "Draft three replies.") }] }],
      temperature: Math.max(agent.temperature, 0.6),
      maxOutputTokens: agent.maxOutputTokens,
      responseSchema: suggestionsOutput,
    });
    await recordRun(orgId, { ...base, outcome: "suggested", usage: res.usage, latencyMs: res.latencyMs, costUsd: res.costUsd, output: res.text });
    return { drafts: res.json.drafts, provider: provider.name, knowledge: context.knowledge.map((k) => ({ id: k._id.toHexString(), title: k.title })) };
  } catch (err) {
    if (!(err instanceof AiProviderError)) throw err;
    await recordRun(orgId, { ...base, outcome: "error", usage: err.details.usage, latencyMs: err.details.latencyMs, error: `${err.kind}: ${err.message}`, output: err.details.rawText ?? null });
    throw new ApiError("service_unavailable", "AI suggestions are unavailable right now. Please try again in a moment.");
  }
}
