import { ObjectId } from "mongodb";
import { scheduleLeadScore } from "@/lib/scoring/score-contact-job";
import { emitAutomationEvent } from "@/lib/automation/emit";
import { z } from "zod";
import { isDuplicateKeyError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import { suggestJourneyStage } from "@/lib/journey/suggestions";
import type { ConversationAnalyticsDoc } from "@/lib/schemas/ai";
import { journeyStages } from "@/lib/schemas/journey";
import { loadAgent } from "./agents";
import { transcriptOf } from "./conversation-context";
import { transcriptBlock } from "./prompt-format";
import { AiProviderError, getAiProvider } from "./provider";
import { recordRun } from "./run-log";

/** The analysis agent's JSON answer; the provider validates it against this schema. */
export const analysisOutput = z.object({
  sentiment: z.number().min(-1).max(1).describe("Overall customer sentiment, -1 (furious) .. 1 (delighted)"),
  intents: z.array(z.string().min(1).max(60)).max(6).describe("What the customer wanted, short snake_case labels"),
  topics: z.array(z.string().min(1).max(60)).max(6).describe("What the conversation was about, 1-3 words each"),
  summary: z.string().min(1).max(1200).describe("A factual 1-2 sentence summary for the team"),
  satisfaction: z.number().int().min(1).max(5).nullable().describe("Estimated customer satisfaction 1-5, null without a signal"),
  journey: z
    .object({
      stage: z.enum(journeyStages).nullable().describe("The customer's journey stage this conversation shows, null when it shows none"),
      confidence: z.number().min(0).max(1).describe("How sure you are of that stage, 0..1"),
      reason: z.string().max(300).describe("One sentence: what in the conversation shows the stage"),
    })
    .nullable()
    .optional()
    .describe("Where the customer is in their journey: awareness, interest, consideration, purchase or retention"),
});

const ANALYSIS_MESSAGES = 60;

export type AnalysisResult = { outcome: "analysed"; analytics: ConversationAnalyticsDoc } | { outcome: "skipped"; reason: string };

/**
 * Analyses a conversation and stores the result in conversation_analytics (one document per
 * conversation, replaced on each analysis). Provider errors propagate typed: the job retries the
 * transient ones; invalid output is recorded and not retried.
 */
export async function analyzeConversation(orgId: ObjectId, conversationId: ObjectId): Promise<AnalysisResult> {
  const db = scoped(orgId);
  const conversation = await db("conversations").findOne({ _id: conversationId });
  if (!conversation) return { outcome: "skipped", reason: "conversation not found" };
  const agent = await loadAgent(orgId, "analysis");
  if (!agent.active) return { outcome: "skipped", reason: "the analysis agent is inactive" };
  const messages = (await db("messages").find({ conversationId }, { sort: { sentAt: -1, _id: -1 }, limit: ANALYSIS_MESSAGES }).toArray()).reverse();
  const transcript = transcriptOf(messages);
  if (!transcript.some((l) => l.speaker === "customer")) return { outcome: "skipped", reason: "the customer has not written yet" };

  const provider = await getAiProvider();
  const model = agent.model || provider.defaultModel;
  const base = { agent, provider: provider.name, model, conversationId, turn: 1 };
  let res;
  try {
    res = await provider.generate({
      model,
      system: agent.systemPrompt,
      messages: [{ role: "user", parts: [{ type: "text", text: `${transcriptBlock(transcript)}\n\nAnalyse this conversation.` }] }],
      temperature: agent.temperature,
      maxOutputTokens: agent.maxOutputTokens,
      responseSchema: analysisOutput,
    });
  } catch (err) {
    if (err instanceof AiProviderError) {
      await recordRun(orgId, { ...base, outcome: "error", usage: err.details.usage, latencyMs: err.details.latencyMs, error: `${err.kind}: ${err.message}`, output: err.details.rawText ?? null });
    }
    throw err;
  }
  await recordRun(orgId, { ...base, outcome: "analysed", usage: res.usage, latencyMs: res.latencyMs, costUsd: res.costUsd, output: res.text });

  const now = new Date();
  const values = {
    sentiment: res.json.sentiment,
    intents: [...new Set(res.json.intents.map((i) => i.trim().toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "_").replace(/^_|_$/g, "")).filter(Boolean))],
    topics: [...new Set(res.json.topics.map((t) => t.trim().toLowerCase()).filter(Boolean))],
    summary: res.json.summary.trim(),
    satisfaction: res.json.satisfaction,
    analyzedAt: now,
    updatedAt: now,
  };
  const upsert = () =>
    db("conversation_analytics").findOneAndUpdate(
      { conversationId },
      { $set: values, $setOnInsert: { _id: new ObjectId(), conversationId, createdAt: now } },
      { upsert: true, returnDocument: "after" },
    );
  // Two concurrent first analyses race on the unique index; the loser updates the winner's document.
  const analytics = await upsert().catch((err) => (isDuplicateKeyError(err) ? upsert() : Promise.reject(err)));
  // Optional in the schema: an agent configured before the journey existed may answer without it.
  const journey = res.json.journey;
  if (journey?.stage) await suggestJourneyStage(orgId, conversation.contactId, { ...journey, stage: journey.stage, conversationId });
  // The score's intent factor reads analyses: a new one rescores the contact (debounced).
  await scheduleLeadScore(orgId, conversation.contactId, now);
  // Triggers on an AI intent or sentiment fire now that the analysis has them.
  await emitAutomationEvent(orgId, {
    kind: "analysis",
    contactId: conversation.contactId.toHexString(),
    conversationId: conversationId.toHexString(),
    intents: values.intents,
    sentiment: values.sentiment,
    at: now.toISOString(),
  });
  return { outcome: "analysed", analytics: analytics! };
}
