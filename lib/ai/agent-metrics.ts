import type { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";
import type { AgentMetrics, AiAgentDoc } from "@/lib/schemas/ai";

export const METRICS_DAYS = 30;

type Sums = { _id: { agentId: ObjectId | null; agentType: AiAgentDoc["type"] }; requests: number; errors: number; latencyTotal: number; promptTokens: number; completionTokens: number; costUsd: number };

/**
 * Per-agent figures from the run log over the last METRICS_DAYS: model calls only (turn >= 1),
 * summed by the database per agent. Runs made before an agent was saved (agentId null) count for
 * the agent of their type.
 */
export async function agentMetrics(orgId: ObjectId, agents: Pick<AiAgentDoc, "_id" | "type">[], now = new Date()): Promise<Map<string, AgentMetrics>> {
  const since = new Date(now.getTime() - METRICS_DAYS * 86_400_000);
  const rows = await scoped(orgId)("ai_runs")
    .aggregate<Sums>([
      { $match: { createdAt: { $gte: since }, turn: { $gte: 1 }, agentType: { $in: [...new Set(agents.map((a) => a.type))] } } },
      {
        $group: {
          _id: { agentId: "$agentId", agentType: "$agentType" },
          requests: { $sum: 1 },
          errors: { $sum: { $cond: [{ $eq: ["$outcome", "error"] }, 1, 0] } },
          latencyTotal: { $sum: "$latencyMs" },
          promptTokens: { $sum: "$promptTokens" },
          completionTokens: { $sum: "$completionTokens" },
          costUsd: { $sum: "$costUsd" },
        },
      },
    ])
    .toArray();
  const firstOfType = new Map(agents.map((a) => [a.type, a._id.toHexString()] as const).reverse());
  const totals = new Map(agents.map((a) => [a._id.toHexString(), { requests: 0, errors: 0, latencyTotal: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 }]));
  for (const { _id, ...sums } of rows) {
    const m = totals.get(_id.agentId?.toHexString() ?? firstOfType.get(_id.agentType) ?? "");
    if (!m) continue;
    for (const k of Object.keys(m) as (keyof typeof m)[]) m[k] += sums[k];
  }
  return new Map(
    [...totals].map(([k, { errors, latencyTotal, ...m }]) => [
      k,
      { ...m, successRate: m.requests ? (m.requests - errors) / m.requests : null, avgLatencyMs: m.requests ? Math.round(latencyTotal / m.requests) : null },
    ]),
  );
}
