import type { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";
import type { AgentMetrics, AiAgentDoc } from "@/lib/schemas/ai";

export const METRICS_DAYS = 30;

type Row = { _id: { agentId: ObjectId | null; agentType: AiAgentDoc["type"]; outcome: string }; count: number; latency: number; prompt: number; completion: number; cost: number };

/**
 * Per-agent figures from the run log over the last METRICS_DAYS: model calls only (turn >= 1).
 * Grouped by outcome in the database and combined here: FerretDB has no $cond for a conditional sum.
 * Runs made before an agent was saved (agentId null) count for the agent of their type.
 */
export async function agentMetrics(orgId: ObjectId, agents: Pick<AiAgentDoc, "_id" | "type">[], now = new Date()): Promise<Map<string, AgentMetrics>> {
  const since = new Date(now.getTime() - METRICS_DAYS * 86_400_000);
  const rows = await (
    await scoped(orgId)("ai_runs").aggregate<Row>([
      { $match: { createdAt: { $gte: since }, turn: { $gte: 1 } } },
      {
        $group: {
          _id: { agentId: "$agentId", agentType: "$agentType", outcome: "$outcome" },
          count: { $sum: 1 },
          latency: { $sum: "$latencyMs" },
          prompt: { $sum: "$promptTokens" },
          completion: { $sum: "$completionTokens" },
          cost: { $sum: "$costUsd" },
        },
      },
    ])
  ).toArray();
  const out = new Map<string, AgentMetrics & { errors: number; latencyTotal: number }>();
  for (const a of agents) out.set(a._id.toHexString(), { requests: 0, successRate: null, avgLatencyMs: null, promptTokens: 0, completionTokens: 0, costUsd: 0, errors: 0, latencyTotal: 0 });
  const firstOfType = new Map(agents.map((a) => [a.type, a._id.toHexString()] as const).reverse());
  for (const r of rows) {
    const key = r._id.agentId?.toHexString() ?? firstOfType.get(r._id.agentType);
    const m = key ? out.get(key) : undefined;
    if (!m) continue;
    m.requests += r.count;
    m.latencyTotal += r.latency;
    m.promptTokens += r.prompt;
    m.completionTokens += r.completion;
    m.costUsd += r.cost;
    if (r._id.outcome === "error") m.errors += r.count;
  }
  return new Map(
    [...out].map(([k, { errors, latencyTotal, ...m }]) => [
      k,
      { ...m, successRate: m.requests ? (m.requests - errors) / m.requests : null, avgLatencyMs: m.requests ? Math.round(latencyTotal / m.requests) : null },
    ]),
  );
}
