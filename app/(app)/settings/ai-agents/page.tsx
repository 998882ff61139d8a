import type { Metadata } from "next";
import { AgentsManager } from "@/components/ai/agents-manager";
import { agentMetrics } from "@/lib/ai/agent-metrics";
import { ensureDefaultAgents, listAgents, toAgentResponse } from "@/lib/ai/agents";
import { requirePageUser } from "@/lib/auth/session";
import { env, integrations } from "@/lib/env";

export const metadata: Metadata = { title: "AI agents" };

export default async function AiAgentsPage() {
  const user = await requirePageUser("system:admin");
  // Organizations created before the agents existed get the defaults on first visit.
  await ensureDefaultAgents(user.orgId);
  const agents = await listAgents(user.orgId);
  const metrics = await agentMetrics(user.orgId, agents);
  const provider = integrations().ai;
  return (
    <AgentsManager
      initialAgents={agents.map((a) => toAgentResponse(a, metrics.get(a._id.toHexString())))}
      provider={provider}
      defaultModel={provider === "gemini" ? env().GEMINI_MODEL : "offline-ai"}
    />
  );
}
