import type { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";
import type { AgentMetrics, AiAgentDoc } from "@/lib/schemas/ai";

export const METRICS_DAYS = 30;

/**
 * Per-agent figures from the run log over the last METRICS_DAYS: model calls only (turn >= 1).
 * Summed here over a projected cursor: FerretDB v1's $group returns 0 for `$sum` of a field across
 * several documents, so the portable path does not use it. Runs made before an agent was saved
 * (agentId null) count for the agent of their type.
 */
export async function agentMetrics(orgId: ObjectId, agents: Pick<AiAgentDoc, "_id" | "type">[], now = new Date()): Promise<Map<string, AgentMetrics>> {
  const since = new Date(now.getTime() - METRICS_DAYS * 86_400_000);
  const totals = new Map<string, AgentMetrics & { errors: number; latencyTotal: number }>();
  for (const a of agents) totals.set(a._id.toHexString(), { requests: 0, successRate: null, avgLatencyMs: null, promptTokens: 0, completionTokens: 0, costUsd: 0, errors: 0, latencyTotal: 0 });
  const firstOfType = new Map(agents.map((a) => [a.type, a._id.toHexString()] as const).reverse());
  const runs = scoped(orgId)("ai_runs").find(
    { createdAt: { $gte: since }, turn: { $gte: 1 }, agentType: { $in: [...new Set(agents.map((a) => a.type))] } },
    { projection: { agentId: 1, agentType: 1, outcome: 1, latencyMs: 1, promptTokens: 1, completionTokens: 1, costUsd: 1 } },
  );
  for await (const r of runs) {
    const key = r.agentId?.toHexString() ?? firstOfType.get(r.agentType);
    const m = key ? totals.get(key) : undefined;
    if (!m) continue;
    m.requests += 1;
    m.latencyTotal += r.latencyMs;
    m.promptTokens += r.promptTokens;
    m.completionTokens += r.completionTokens;
    m.costUsd += r.costUsd;
    if (r.outcome === "error") m.errors += 1;
  }
  return new Map(
    [...totals].map(([k, { errors, latencyTotal, ...m }]) => [
      k,
      { ...m, successRate: m.requests ? (m.requests - errors) / m.requests : null, avgLatencyMs: m.requests ? Math.round(latencyTotal / m.requests) : null },
    ]),
  );
}
