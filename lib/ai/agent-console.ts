import type { ObjectId } from "mongodb";
import type { ResolvedAgent } from "./agents";
import { analysisOutput } from "./analysis-agent";
import { guardDecision, recordAgentRun, runConversationAgent, type Decision, type ToolCallRecord } from "./conversation-agent";
import { latestCustomerBurst, renderContext, type TranscriptLine } from "./conversation-context";
import { rankArticles } from "./knowledge";
import { transcriptBlock } from "./prompt-format";
import { AiProviderError, getAiProvider } from "./provider";
import { recordRun } from "./run-log";
import { asksForHuman, isStronglyNegative } from "./signals";
import { getSettings } from "@/lib/settings/settings";

export type ConsoleResult = {
  provider: "gemini" | "offline";
  model: string;
  /** What the ai-reply job would do: the guarded decision (conversation agent). */
  decision: Decision | null;
  /** A guardrail that decides before the model is called (the model is still run, to show its calls). */
  guardrail: string | null;
  toolCalls: ToolCallRecord[];
  knowledge: { id: string; title: string; score: number }[];
  /** Analysis JSON or free text for the other agent types. */
  output: unknown;
  error: string | null;
  usage: { promptTokens: number; completionTokens: number; latencyMs: number; costUsd: number };
};

/**
 * The agents page's test console: runs an agent on a conversation the admin typed. Nothing is
 * sent and no conversation changes (action tools are recorded, not executed); the model calls are
 * logged in ai_runs like any other, without a conversation.
 */
export async function runAgentConsole(orgId: ObjectId, agent: ResolvedAgent, lines: TranscriptLine[]): Promise<ConsoleResult> {
  const provider = await getAiProvider();
  const model = agent.model || provider.defaultModel;
  const base: ConsoleResult = {
    provider: provider.name,
    model,
    decision: null,
    guardrail: null,
    toolCalls: [],
    knowledge: [],
    output: null,
    error: null,
    usage: { promptTokens: 0, completionTokens: 0, latencyMs: 0, costUsd: 0 },
  };

  if (agent.type === "conversation") {
    const latest = latestCustomerBurst(lines) || lines.filter((l) => l.speaker === "customer").at(-1)?.text || "";
    const [knowledge, settings] = await Promise.all([rankArticles(orgId, latest), getSettings(orgId)]);
    const prompt = renderContext({ transcript: lines, contact: null, conversation: null, knowledge, settings, now: new Date() });
    const toolCalls: ToolCallRecord[] = [];
    const run = await runConversationAgent({
      agent,
      provider,
      prompt,
      execute: async (name, args) => {
        toolCalls.push({ name, args });
        return { ok: true, dryRun: true };
      },
    });
    const decision = guardDecision(run.decision, agent);
    await recordAgentRun(orgId, { agent, run, final: decision, conversationId: null, knowledgeArticleIds: knowledge.map((k) => k._id) });
    const guardrail = asksForHuman(latest) ? "Customer asked for a human" : isStronglyNegative(latest) ? "Strongly negative customer sentiment" : null;
    return {
      ...base,
      decision,
      guardrail,
      toolCalls: run.turns.flatMap((t) => t.toolCalls),
      knowledge: knowledge.map((k) => ({ id: k._id.toHexString(), title: k.title, score: k.score })),
      error: run.turns.find((t) => t.error)?.error ?? null,
      usage: run.turns.reduce(
        (u, t) => ({ promptTokens: u.promptTokens + t.usage.promptTokens, completionTokens: u.completionTokens + t.usage.completionTokens, latencyMs: u.latencyMs + t.latencyMs, costUsd: u.costUsd + t.costUsd }),
        base.usage,
      ),
    };
  }

  const analysis = agent.type === "analysis";
  try {
    const res = await provider.generate({
      model,
      system: agent.systemPrompt,
      messages: [{ role: "user", parts: [{ type: "text", text: analysis ? `${transcriptBlock(lines)}\n\nAnalyse this conversation.` : lines.map((l) => l.text).join("\n") }] }],
      temperature: agent.temperature,
      maxOutputTokens: agent.maxOutputTokens,
      ...(analysis ? { responseSchema: analysisOutput } : {}),
    });
    await recordRun(orgId, { agent, provider: provider.name, model, conversationId: null, turn: 1, outcome: analysis ? "analysed" : "replied", usage: res.usage, latencyMs: res.latencyMs, costUsd: res.costUsd, output: res.text });
    return { ...base, output: analysis ? res.json : res.text, usage: { ...res.usage, latencyMs: res.latencyMs, costUsd: res.costUsd } };
  } catch (err) {
    if (!(err instanceof AiProviderError)) throw err;
    await recordRun(orgId, { agent, provider: provider.name, model, conversationId: null, turn: 1, outcome: "error", usage: err.details.usage, latencyMs: err.details.latencyMs, error: `${err.kind}: ${err.message}`, output: err.details.rawText ?? null });
    return { ...base, error: `${err.kind}: ${err.message}` };
  }
}
