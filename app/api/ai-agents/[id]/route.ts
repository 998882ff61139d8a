import { z } from "zod";
import { agentMetrics } from "@/lib/ai/agent-metrics";
import { getAgentOrThrow, toAgentResponse } from "@/lib/ai/agents";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { diff, recordActivity } from "@/lib/audit/audit";
import { updateAiAgentBody } from "@/lib/schemas/ai";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// PATCH /api/ai-agents/[id]: change an agent's model settings, prompt, guardrail thresholds or active switch (admin, audited)
export const PATCH = withOrg({ permission: "system:admin", params, body: updateAiAgentBody }, async ({ orgId, db, params, body, actor }) => {
  const before = await getAgentOrThrow(orgId, params.id);
  const change = diff(before, body);
  let after = before;
  if (change.changed) {
    after = (await db("ai_agents").findOneAndUpdate({ _id: params.id }, { $set: { ...body, updatedAt: new Date() } }, { returnDocument: "after" }))!;
    const action = body.active === false ? "ai_agent.deactivated" : body.active === true ? "ai_agent.activated" : "ai_agent.updated";
    await recordActivity(orgId, actor, { action, entityType: "ai_agent", entityId: before._id, before: change.before, after: change.after });
  }
  const metrics = await agentMetrics(orgId, [after]);
  return { agent: toAgentResponse(after, metrics.get(after._id.toHexString())) };
});
