import { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";
import type { AiRunDoc, AiRunResponse } from "@/lib/schemas/ai";
import type { ResolvedAgent } from "./agents";
import type { ProviderName, Usage } from "./provider";

export type RunEntry = {
  agent: Pick<ResolvedAgent, "_id" | "type">;
  provider: ProviderName;
  model: string;
  conversationId: ObjectId | null;
  turn: number;
  outcome: AiRunDoc["outcome"];
  usage?: Usage;
  latencyMs?: number;
  costUsd?: number;
  error?: string | null;
  reason?: string | null;
  output?: string | null;
  toolCalls?: AiRunDoc["toolCalls"];
  knowledgeArticleIds?: ObjectId[];
};

const MAX_OUTPUT = 4000;

/** Appends one entry to ai_runs: every model call, and every guardrail decision taken without one. */
export async function recordRun(orgId: ObjectId, e: RunEntry): Promise<ObjectId> {
  const _id = new ObjectId();
  await scoped(orgId)("ai_runs").insertOne({
    _id,
    agentId: e.agent._id,
    agentType: e.agent.type,
    provider: e.provider,
    model: e.model,
    conversationId: e.conversationId,
    promptTokens: e.usage?.promptTokens ?? 0,
    completionTokens: e.usage?.completionTokens ?? 0,
    latencyMs: e.latencyMs ?? 0,
    costUsd: e.costUsd ?? 0,
    outcome: e.outcome,
    error: e.error ?? null,
    toolCalls: e.toolCalls ?? [],
    knowledgeArticleIds: e.knowledgeArticleIds ?? [],
    turn: e.turn,
    reason: e.reason ?? null,
    output: e.output ? e.output.slice(0, MAX_OUTPUT) : null,
    createdAt: new Date(),
  });
  return _id;
}

export function toRunResponse(r: AiRunDoc): AiRunResponse {
  return {
    id: r._id.toHexString(),
    agentId: r.agentId?.toHexString() ?? null,
    agentType: r.agentType,
    provider: r.provider,
    model: r.model,
    conversationId: r.conversationId?.toHexString() ?? null,
    promptTokens: r.promptTokens,
    completionTokens: r.completionTokens,
    latencyMs: r.latencyMs,
    costUsd: r.costUsd,
    outcome: r.outcome,
    error: r.error,
    reason: r.reason,
    output: r.output,
    turn: r.turn,
    toolCalls: r.toolCalls,
    knowledgeArticleIds: r.knowledgeArticleIds.map((id) => id.toHexString()),
    createdAt: r.createdAt.toISOString(),
  };
}
