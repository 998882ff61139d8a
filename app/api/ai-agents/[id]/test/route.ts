import { z } from "zod";
import { runAgentConsole } from "@/lib/ai/agent-console";
import { getAgentOrThrow } from "@/lib/ai/agents";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { agentTestBody } from "@/lib/schemas/ai";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// POST /api/ai-agents/[id]/test: run an agent on a typed conversation without sending anything (admin)
export const POST = withOrg({ permission: "system:admin", params, body: agentTestBody }, async ({ orgId, params, body }) => {
  const agent = await getAgentOrThrow(orgId, params.id);
  const lines = body.messages.map((m) => ({ speaker: m.from, text: m.text }));
  return { result: await runAgentConsole(orgId, agent, lines) };
});
