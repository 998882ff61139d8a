import { z } from "zod";
import { idString, objectId, tenantFields } from "./common";

export const aiAgentTypes = ["conversation", "analysis", "content", "campaign", "trigger"] as const;

/** An AI agent configuration (seed 000 ai_agents). Models are configuration, never hard-coded. */
export const aiAgentDoc = z.object({
  ...tenantFields,
  name: z.string(),
  type: z.enum(aiAgentTypes),
  model: z.string(),
  temperature: z.number().min(0).max(2),
  maxOutputTokens: z.number().int().positive(),
  systemPrompt: z.string(),
  active: z.boolean(),
  /** Below this the conversation agent hands over instead of answering. */
  confidenceThreshold: z.number().min(0).max(1),
  /** Consecutive AI replies without resolution before a handover. */
  maxConsecutiveReplies: z.number().int().positive(),
});
export type AiAgentDoc = z.infer<typeof aiAgentDoc>;

/** One model call (every call is logged): the run log behind the agents page metrics. */
export const aiRunDoc = z.object({
  _id: objectId,
  orgId: objectId,
  agentId: objectId.nullable(),
  agentType: z.enum(aiAgentTypes),
  provider: z.enum(["gemini", "offline"]),
  model: z.string(),
  conversationId: objectId.nullable(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  latencyMs: z.number(),
  costUsd: z.number(),
  outcome: z.enum(["replied", "asked", "acted", "handover", "analysed", "suggested", "error", "skipped"]),
  error: z.string().nullable(),
  toolCalls: z.array(z.object({ name: z.string(), args: z.record(z.string(), z.unknown()) })),
  knowledgeArticleIds: z.array(objectId),
  /** 1.. for each model call of one agent run; 0 for a guardrail decision taken without calling the model. */
  turn: z.number().int().min(0),
  /** Why a run handed over or was skipped (guardrail or model), for the run log. */
  reason: z.string().nullable(),
  /** The model's text or JSON answer, truncated, for inspection. */
  output: z.string().nullable(),
  createdAt: z.date(),
});
export type AiRunDoc = z.infer<typeof aiRunDoc>;

/**
 * Which ai-reply delivery answers a given customer message: the unique key makes the claim atomic
 * (an insert), so two deliveries for one burst never both answer; a retry of the same delivery
 * (same `by`) may take it again.
 */
export const aiReplyClaimDoc = z.object({
  _id: objectId,
  orgId: objectId,
  /** `<conversationId>:<customer message id>` */
  key: z.string(),
  by: z.string(),
  createdAt: z.date(),
});
export type AiReplyClaimDoc = z.infer<typeof aiReplyClaimDoc>;

export const conversationAnalyticsDoc = z.object({
  ...tenantFields,
  conversationId: objectId,
  sentiment: z.number().min(-1).max(1),
  intents: z.array(z.string()),
  topics: z.array(z.string()),
  summary: z.string(),
  satisfaction: z.number().min(1).max(5).nullable(),
  analyzedAt: z.date(),
});
export type ConversationAnalyticsDoc = z.infer<typeof conversationAnalyticsDoc>;

export const knowledgeArticleDoc = z.object({
  ...tenantFields,
  title: z.string(),
  body: z.string(),
  /** Lowercased stems for the portable keyword ranking. */
  keywords: z.array(z.string()),
  active: z.boolean(),
});
export type KnowledgeArticleDoc = z.infer<typeof knowledgeArticleDoc>;


// --- API shapes (knowledge base, agents page, run log) ---

const articleTitle = z.string().trim().min(1, "is required").max(200);
const articleBody = z.string().trim().min(1, "is required").max(20_000);
export const createKnowledgeArticleBody = z.strictObject({ title: articleTitle, body: articleBody, active: z.boolean().default(true) });
export const updateKnowledgeArticleBody = z
  .strictObject({ title: articleTitle.optional(), body: articleBody.optional(), active: z.boolean().optional() })
  .refine((b) => Object.keys(b).length > 0, "Nothing to update");
export const knowledgeArticleResponse = z.object({
  id: idString,
  title: z.string(),
  body: z.string(),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type KnowledgeArticleResponse = z.infer<typeof knowledgeArticleResponse>;

export const updateAiAgentBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    /** Empty: GEMINI_MODEL. */
    model: z.string().trim().max(100).regex(/^[\w.-]*$/, "may contain letters, digits, '.', '-' and '_'").optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxOutputTokens: z.number().int().min(16).max(65_536).optional(),
    systemPrompt: z.string().trim().min(1, "is required").max(20_000).optional(),
    confidenceThreshold: z.number().min(0).max(1).optional(),
    maxConsecutiveReplies: z.number().int().min(1).max(50).optional(),
    active: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, "Nothing to update");

export const agentMetrics = z.object({
  requests: z.number(),
  successRate: z.number().nullable(),
  avgLatencyMs: z.number().nullable(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  costUsd: z.number(),
});
export type AgentMetrics = z.infer<typeof agentMetrics>;

export const aiAgentResponse = z.object({
  id: idString,
  name: z.string(),
  type: z.enum(aiAgentTypes),
  model: z.string(),
  temperature: z.number(),
  maxOutputTokens: z.number(),
  systemPrompt: z.string(),
  confidenceThreshold: z.number(),
  maxConsecutiveReplies: z.number(),
  active: z.boolean(),
  updatedAt: z.string(),
  metrics: agentMetrics,
});
export type AiAgentResponse = z.infer<typeof aiAgentResponse>;

/** The test console: a conversation typed by the admin, run through the agent without sending. */
export const agentTestBody = z.strictObject({
  messages: z
    .array(z.strictObject({ from: z.enum(["customer", "agent", "ai"]), text: z.string().trim().min(1).max(4096) }))
    .min(1, "Type at least one message")
    .max(50),
});

export const aiRunResponse = z.object({
  id: idString,
  agentId: idString.nullable(),
  agentType: z.enum(aiAgentTypes),
  provider: z.enum(["gemini", "offline"]),
  model: z.string(),
  conversationId: idString.nullable(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  latencyMs: z.number(),
  costUsd: z.number(),
  outcome: aiRunDoc.shape.outcome,
  error: z.string().nullable(),
  reason: z.string().nullable(),
  output: z.string().nullable(),
  turn: z.number(),
  toolCalls: z.array(z.object({ name: z.string(), args: z.record(z.string(), z.unknown()) })),
  knowledgeArticleIds: z.array(idString),
  createdAt: z.string(),
});
export type AiRunResponse = z.infer<typeof aiRunResponse>;

export const listAiRunsQuery = z.object({
  cursor: z.string().regex(/^[a-f0-9]{24}$/i, "is not a valid cursor").optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  agentType: z.enum(aiAgentTypes).optional(),
  outcome: aiRunDoc.shape.outcome.optional(),
  conversationId: idString.optional(),
});

export const conversationAnalyticsResponse = z.object({
  sentiment: z.number(),
  intents: z.array(z.string()),
  topics: z.array(z.string()),
  summary: z.string(),
  satisfaction: z.number().nullable(),
  analyzedAt: z.string(),
});
export type ConversationAnalyticsResponse = z.infer<typeof conversationAnalyticsResponse>;
