import type { ObjectId } from "mongodb";
import type { AiRunDoc } from "@/lib/schemas/ai";
import type { ResolvedAgent } from "./agents";
import { conversationToolDeclarations, conversationTools, isConversationTool, terminalTools, type ConversationToolName } from "./conversation-tools";
import { AiProviderError, type AiProvider, type FunctionCall, type InputPart, type ProviderMessage, type ProviderName, type Usage } from "./provider";
import { recordRun } from "./run-log";
import { STRONGLY_NEGATIVE } from "./signals";

/**
 * The conversation agent's decision: the model answers or acts only through tools, over at most
 * MAX_TURNS model calls. It never sends anything itself; the ai-reply job (or the test console)
 * applies the decision. Model errors, timeouts and invalid output become a handover with the reason.
 */
export const MAX_TURNS = 4;

export type Decision =
  | { kind: "reply" | "ask"; text: string; confidence: number; sentiment: number }
  | { kind: "handover"; reason: string };

export type ToolCallRecord = { name: string; args: Record<string, unknown> };

export type TurnLog = {
  usage: Usage;
  latencyMs: number;
  costUsd: number;
  toolCalls: ToolCallRecord[];
  output: string | null;
  error: string | null;
};

export type AgentRun = { provider: ProviderName; model: string; decision: Decision; turns: TurnLog[] };

/** Executes an action tool (add_tags, update_contact, set_priority, create_ticket) and returns what the model is told. */
export type ActionExecutor = (name: Exclude<ConversationToolName, (typeof terminalTools)[number]>, args: Record<string, unknown>) => Promise<Record<string, unknown>>;

export async function runConversationAgent(opts: {
  agent: ResolvedAgent;
  provider: AiProvider;
  prompt: string;
  /** The customer's photos the answer should consider, after the prompt in the same turn. */
  images?: InputPart[];
  execute: ActionExecutor;
  timeoutMs?: number;
}): Promise<AgentRun> {
  const { agent, provider } = opts;
  const model = agent.model || provider.defaultModel;
  const messages: ProviderMessage[] = [{ role: "user", parts: [{ type: "text", text: opts.prompt }, ...(opts.images ?? [])] }];
  const turns: TurnLog[] = [];
  const done = (decision: Decision): AgentRun => ({ provider: provider.name, model, decision, turns });

  for (let turn = 1; turn <= MAX_TURNS; turn++) {
    let res;
    try {
      res = await provider.generate({
        model,
        system: agent.systemPrompt,
        messages,
        temperature: agent.temperature,
        maxOutputTokens: agent.maxOutputTokens,
        tools: conversationToolDeclarations,
        toolMode: "any",
        timeoutMs: opts.timeoutMs,
      });
    } catch (err) {
      const e = err instanceof AiProviderError ? err : new AiProviderError("unavailable", err instanceof Error ? err.message : String(err));
      const usage = e.details.usage ?? { promptTokens: 0, completionTokens: 0 };
      turns.push({ usage, latencyMs: e.details.latencyMs ?? 0, costUsd: 0, toolCalls: [], output: e.details.rawText ?? null, error: `${e.kind}: ${e.message}` });
      const what = e.kind === "invalid_output" ? "Invalid model output" : e.kind === "timeout" ? "Model timeout" : "Model error";
      return done({ kind: "handover", reason: `${what}: ${e.message}` });
    }
    const log: TurnLog = {
      usage: res.usage,
      latencyMs: res.latencyMs,
      costUsd: res.costUsd,
      toolCalls: res.functionCalls.map((c) => ({ name: c.name, args: c.args })),
      output: res.text,
      error: null,
    };
    turns.push(log);

    const invalid = validateCalls(res.functionCalls);
    if (invalid) {
      log.error = `invalid_output: ${invalid}`;
      return done({ kind: "handover", reason: `Invalid model output: ${invalid}` });
    }
    const calls = res.functionCalls as (FunctionCall & { name: ConversationToolName })[];
    const results: { id?: string; name: string; response: Record<string, unknown> }[] = [];
    for (const call of calls) {
      if ((terminalTools as readonly string[]).includes(call.name)) continue;
      const response = await opts.execute(call.name as Parameters<ActionExecutor>[0], call.args);
      results.push({ ...(call.id ? { id: call.id } : {}), name: call.name, response });
    }
    // A handover among the calls wins over an answer in the same turn.
    const terminal = calls.find((c) => c.name === "handover_to_human") ?? calls.find((c) => (terminalTools as readonly string[]).includes(c.name));
    if (terminal) return done(toDecision(terminal));
    messages.push({ role: "model", raw: res.rawContent }, { role: "tool", results });
  }
  return done({ kind: "handover", reason: `Invalid model output: no answer after ${MAX_TURNS} model calls` });
}

/** Null when every call names a known tool with valid arguments; otherwise what is wrong. */
function validateCalls(calls: FunctionCall[]): string | null {
  if (!calls.length) return "the model answered without calling a tool";
  for (const call of calls) {
    if (!isConversationTool(call.name)) return `unknown tool "${call.name}"`;
    const parsed = conversationTools[call.name].parameters.safeParse(call.args);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return `${call.name}.${issue?.path.join(".") || "args"}: ${issue?.message}`;
    }
    call.args = parsed.data as Record<string, unknown>;
  }
  return null;
}

function toDecision(call: FunctionCall): Decision {
  const a = call.args as { text?: string; question?: string; confidence?: number; sentiment?: number; reason?: string };
  if (call.name === "handover_to_human") return { kind: "handover", reason: `AI: ${a.reason}` };
  return {
    kind: call.name === "reply" ? "reply" : "ask",
    text: (call.name === "reply" ? a.text : a.question)!,
    confidence: a.confidence!,
    sentiment: a.sentiment!,
  };
}

/** Guardrails on the model's answer, in code: low confidence and strongly negative sentiment hand over. */
export function guardDecision(decision: Decision, agent: Pick<ResolvedAgent, "confidenceThreshold">): Decision {
  if (decision.kind === "handover") return decision;
  if (decision.confidence < agent.confidenceThreshold) {
    return { kind: "handover", reason: `Low AI confidence (${decision.confidence.toFixed(2)} < ${agent.confidenceThreshold.toFixed(2)})` };
  }
  if (decision.sentiment <= STRONGLY_NEGATIVE) {
    return { kind: "handover", reason: `Strongly negative customer sentiment (${decision.sentiment.toFixed(2)})` };
  }
  return decision;
}

const outcomeOf: Record<Decision["kind"], AiRunDoc["outcome"]> = { reply: "replied", ask: "asked", handover: "handover" };

/** One ai_runs entry per model call; the last carries the final (guarded) outcome and its reason. */
export async function recordAgentRun(
  orgId: ObjectId,
  input: { agent: ResolvedAgent; run: AgentRun; final: Decision; conversationId: ObjectId | null; knowledgeArticleIds: ObjectId[] },
) {
  const { run, final } = input;
  for (const [i, t] of run.turns.entries()) {
    const last = i === run.turns.length - 1;
    await recordRun(orgId, {
      agent: input.agent,
      provider: run.provider,
      model: run.model,
      conversationId: input.conversationId,
      turn: i + 1,
      outcome: t.error ? "error" : last ? outcomeOf[final.kind] : "acted",
      usage: t.usage,
      latencyMs: t.latencyMs,
      costUsd: t.costUsd,
      error: t.error,
      reason: last && final.kind === "handover" ? final.reason : null,
      output: t.output,
      toolCalls: t.toolCalls,
      knowledgeArticleIds: input.knowledgeArticleIds,
    });
  }
}
