import { agentMetrics } from "@/lib/ai/agent-metrics";
import { listAgents, toAgentResponse } from "@/lib/ai/agents";
import { withOrg } from "@/lib/api/with-org";

export const runtime = "nodejs";

// GET /api/ai-agents: the AI agents with their run-log metrics (admin)
export const GET = withOrg({ permission: "system:admin" }, async ({ orgId }) => {
  const agents = await listAgents(orgId);
  const metrics = await agentMetrics(orgId, agents);
  return { agents: agents.map((a) => toAgentResponse(a, metrics.get(a._id.toHexString()))) };
});
