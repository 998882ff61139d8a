import { ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import type { AgentMetrics, AiAgentDoc, AiAgentResponse } from "@/lib/schemas/ai";
import { aiAgentTypes } from "@/lib/schemas/ai";

type AgentType = AiAgentDoc["type"];
export type AgentConfig = Omit<AiAgentDoc, "_id" | "orgId" | "createdAt" | "updatedAt">;
/** An agent as the runtime uses it; `_id` is null for a built-in default no admin has saved yet. */
export type ResolvedAgent = AgentConfig & { _id: ObjectId | null };

/** Seed 000's five agents. `model: ""` means GEMINI_MODEL (models are configuration, not data). */
export const defaultAgents: Record<AgentType, AgentConfig> = {
  conversation: {
    name: "Customer service agent",
    type: "conversation",
    model: "",
    temperature: 0.3,
    maxOutputTokens: 1024,
    confidenceThreshold: 0.6,
    maxConsecutiveReplies: 5,
    active: true,
    systemPrompt: [
      "You are the customer-service assistant of this business on WhatsApp.",
      "Answer only with facts from the knowledge base and the conversation; never invent prices, dates or policies.",
      "Write like a helpful person on WhatsApp: short (1-3 sentences), friendly, in the customer's language, no markdown.",
      "Act only through the tools. Use reply to answer, ask_clarifying_question when the request is ambiguous,",
      "add_tags / update_contact / set_priority to record what you learn, create_ticket when the request needs follow-up work by the team, and handover_to_human with a reason when",
      "the customer asks for a person, is upset, or the knowledge base does not cover the question.",
      "Report an honest confidence: below 0.6 means a human should answer instead.",
    ].join(" "),
  },
  analysis: {
    name: "Conversation analyst",
    type: "analysis",
    model: "",
    temperature: 0.1,
    maxOutputTokens: 1024,
    confidenceThreshold: 0.6,
    maxConsecutiveReplies: 5,
    active: true,
    systemPrompt:
      "You analyse customer-service conversations for the business. Return the customer's overall sentiment (-1..1), their intents as short snake_case labels, 1-3 word topics, a factual 1-2 sentence summary, an estimated satisfaction from 1 to 5 (null when the conversation gives no signal), and the customer's journey stage (awareness: first contact; interest: asks about products; consideration: compares, asks prices or terms; purchase: orders or pays; retention: a customer who bought before, back for support or more) with your confidence and the evidence in one sentence.",
  },
  content: {
    name: "Content writer",
    type: "content",
    model: "",
    temperature: 0.7,
    maxOutputTokens: 1024,
    confidenceThreshold: 0.6,
    maxConsecutiveReplies: 5,
    active: true,
    systemPrompt:
      "You write WhatsApp message and template copy for the business: clear, friendly, under 1024 characters, with {{1}}-style placeholders where personal data goes, compliant with WhatsApp's business messaging policy.",
  },
  campaign: {
    name: "Campaign planner",
    type: "campaign",
    model: "",
    temperature: 0.5,
    maxOutputTokens: 1024,
    confidenceThreshold: 0.6,
    maxConsecutiveReplies: 5,
    active: true,
    systemPrompt:
      "You help marketers plan WhatsApp campaigns: which audience (tags, consent), which approved template, when to send, and what result to expect. Only opted-in contacts may receive marketing.",
  },
  trigger: {
    name: "Automation assistant",
    type: "trigger",
    model: "",
    temperature: 0.2,
    maxOutputTokens: 512,
    confidenceThreshold: 0.6,
    maxConsecutiveReplies: 5,
    active: true,
    systemPrompt:
      "You evaluate automation triggers: given a conversation and a trigger's condition described in words, decide whether it matches and explain why in one sentence.",
  },
};

/** Inserts the default agents an organization is missing (bootstrap and seed). Idempotent per type. */
export async function ensureDefaultAgents(orgId: ObjectId, now = new Date()) {
  const agents = scoped(orgId)("ai_agents");
  for (const type of aiAgentTypes) {
    await agents.updateOne({ type }, { $setOnInsert: { ...defaultAgents[type], _id: new ObjectId(), createdAt: now, updatedAt: now } }, { upsert: true });
  }
}

/**
 * The agent of a type: the active one if any, else the newest inactive one (AI of that type is then
 * off), else the built-in default, so a fresh organization works before anyone opens the agents page.
 */
export async function loadAgent(orgId: ObjectId, type: AgentType): Promise<ResolvedAgent> {
  const found = await scoped(orgId)("ai_agents").findOne({ type }, { sort: { active: -1, updatedAt: -1 } });
  return found ?? { ...defaultAgents[type], _id: null };
}

export async function listAgents(orgId: ObjectId): Promise<AiAgentDoc[]> {
  const all = await scoped(orgId)("ai_agents").find({}, { sort: { createdAt: 1 } }).toArray();
  return all.sort((a, b) => aiAgentTypes.indexOf(a.type) - aiAgentTypes.indexOf(b.type));
}

export async function getAgentOrThrow(orgId: ObjectId, id: ObjectId): Promise<AiAgentDoc> {
  const agent = await scoped(orgId)("ai_agents").findOne({ _id: id });
  if (!agent) throw new ApiError("not_found", "AI agent not found");
  return agent;
}

export function toAgentResponse(a: AiAgentDoc, metrics: AgentMetrics | undefined): AiAgentResponse {
  return {
    id: a._id.toHexString(),
    name: a.name,
    type: a.type,
    model: a.model,
    temperature: a.temperature,
    maxOutputTokens: a.maxOutputTokens,
    systemPrompt: a.systemPrompt,
    confidenceThreshold: a.confidenceThreshold,
    maxConsecutiveReplies: a.maxConsecutiveReplies,
    active: a.active,
    updatedAt: a.updatedAt.toISOString(),
    metrics: metrics ?? { requests: 0, successRate: null, avgLatencyMs: null, promptTokens: 0, completionTokens: 0, costUsd: 0 },
  };
}
