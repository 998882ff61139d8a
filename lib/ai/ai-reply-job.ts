import { ObjectId, type WithId } from "mongodb";
import { z } from "zod";
import { ApiError, isDuplicateKeyError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import { env } from "@/lib/env";
import { defineJob } from "@/lib/jobs/define-job";
import { enqueue } from "@/lib/jobs/enqueue";
import { log } from "@/lib/log";
import { sendMessage } from "@/lib/messaging/send-message";
import { idString } from "@/lib/schemas/common";
import { windowOpen, type ConversationDoc } from "@/lib/schemas/conversation";
import type { MessageDoc } from "@/lib/schemas/message";
import { loadAgent, type ResolvedAgent } from "./agents";
import { AI_STATUSES, conversationActionExecutor, handOver } from "./conversation-actions";
import { guardDecision, recordAgentRun, runConversationAgent, type Decision } from "./conversation-agent";
import { buildConversationContext } from "./conversation-context";
import { getAiProvider } from "./provider";
import { recordRun } from "./run-log";
import { asksForHuman, isStronglyNegative } from "./signals";
import { getSettings } from "@/lib/settings/settings";

/** Messages in one 5-second bucket of their own timestamps share one ai-reply job. */
const BURST_BUCKET_MS = 5_000;
/** Per model call; the whole run stays well inside a job route's time limit. */
const MODEL_TIMEOUT_MS = 20_000;

export const aiReplyPayload = z.object({ orgId: idString, conversationId: idString, messageId: idString });

/**
 * Called by the webhook's follow-ups for each customer message. Debounced: delivered
 * AI_REPLY_DEBOUNCE_SECONDS later, and deduplicated per conversation and 5-second bucket of the message's own time,
 * so a burst gets one job and Meta's redelivery of the same message adds none.
 */
export async function scheduleAiReply(orgId: ObjectId, conversationId: ObjectId, messageId: ObjectId, messageTime: Date) {
  const bucket = Math.floor(messageTime.getTime() / BURST_BUCKET_MS);
  return enqueue(
    "ai-reply",
    { orgId: orgId.toHexString(), conversationId: conversationId.toHexString(), messageId: messageId.toHexString() },
    { delaySeconds: env().AI_REPLY_DEBOUNCE_SECONDS, deduplicationId: `ai-reply-${conversationId.toHexString()}-${bucket}` },
  );
}

export type AiReplyResult =
  | { outcome: "skipped"; reason: string }
  | { outcome: "handover"; reason: string }
  | { outcome: "replied" | "asked"; messageId: ObjectId; confidence: number };

const skip = (reason: string): AiReplyResult => ({ outcome: "skipped", reason });

/**
 * Answers the conversation's latest customer message, or hands it over, within the guardrails.
 * Idempotent: it acts only while that message is unanswered and claimed by this delivery, and the
 * send's idempotency key is the message's wamid.
 */
export async function replyToConversation(orgId: ObjectId, conversationId: ObjectId, deliveryId: string): Promise<AiReplyResult> {
  const db = scoped(orgId);
  const [conversation, settings] = await Promise.all([db("conversations").findOne({ _id: conversationId }), getSettings(orgId)]);
  if (!conversation) return skip("conversation not found");
  if (!settings.aiEnabled) return skip("AI is switched off for the organization");
  if (!conversation.ai.enabled) return skip("AI is switched off for this conversation");
  if (!(AI_STATUSES as readonly string[]).includes(conversation.status) || conversation.assigneeId) return skip("a human is handling the conversation");
  if (conversation.ai.handoverReason) return skip("the conversation was handed over to a human");
  const agent = await loadAgent(orgId, "conversation");
  if (!agent.active) return skip("the conversation agent is inactive");
  const contact = await db("contacts").findOne({ _id: conversation.contactId });
  if (!contact || contact.consent.state === "opted_out") return skip("the contact opted out");

  const latest = await db("messages").findOne({ conversationId, direction: "inbound", sender: "customer" }, { sort: { sentAt: -1, _id: -1 } });
  if (!latest) return skip("no customer message to answer");
  // Stored after the customer's message (our clock, milliseconds; Meta's sentAt has whole seconds).
  const answered = await db("messages").findOne({
    conversationId,
    direction: "outbound",
    sender: { $in: ["ai", "agent"] },
    type: { $nin: ["note", "system", "reaction"] },
    createdAt: { $gt: latest.createdAt },
  });
  if (answered) return skip("the latest customer message is already answered");

  if (!(await claimReply(orgId, `${conversationId.toHexString()}:${latest._id.toHexString()}`, deliveryId))) {
    return skip("another delivery is answering this message");
  }

  const provider = await getAiProvider();
  const context = await buildConversationContext(orgId, conversation);
  const triggerKey = latest.waMessageId ?? latest._id.toHexString();
  const guardrail = async (reason: string): Promise<AiReplyResult> => {
    await recordRun(orgId, { agent, provider: provider.name, model: agent.model || provider.defaultModel, conversationId, turn: 0, outcome: "handover", reason });
    await handOver(orgId, conversationId, reason, triggerKey);
    return { outcome: "handover", reason };
  };

  if (!windowOpen(conversation)) return guardrail("The 24-hour customer service window is closed; a template is needed");
  if (asksForHuman(context.latestCustomerText)) return guardrail("Customer asked for a human");
  if (isStronglyNegative(context.latestCustomerText)) return guardrail("Strongly negative customer sentiment");
  if (conversation.ai.consecutiveReplies >= agent.maxConsecutiveReplies) {
    return guardrail(`${conversation.ai.consecutiveReplies} consecutive AI replies without resolution`);
  }

  const run = await runConversationAgent({
    agent,
    provider,
    prompt: context.prompt,
    images: context.images,
    execute: conversationActionExecutor(orgId, conversation),
    timeoutMs: MODEL_TIMEOUT_MS,
  });
  const decision = guardDecision(run.decision, agent);
  await recordAgentRun(orgId, { agent, run, final: decision, conversationId, knowledgeArticleIds: context.knowledge.map((k) => k._id) });
  return apply(orgId, conversation, agent, decision, latest, triggerKey, { provider: run.provider, model: run.model });
}

async function apply(
  orgId: ObjectId,
  conversation: WithId<ConversationDoc>,
  agent: ResolvedAgent,
  decision: Decision,
  latest: WithId<MessageDoc>,
  triggerKey: string,
  author: NonNullable<MessageDoc["ai"]>,
): Promise<AiReplyResult> {
  if (decision.kind === "handover") {
    await handOver(orgId, conversation._id, decision.reason, triggerKey);
    return { outcome: "handover", reason: decision.reason };
  }
  let sent: MessageDoc;
  try {
    sent = await sendMessage(orgId, {
      conversationId: conversation._id,
      sender: "ai",
      idempotencyKey: `ai:${triggerKey}`,
      content: { type: "text", text: decision.text },
      ai: author,
    });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const reason = `The AI reply could not be sent: ${err.message}`;
    await handOver(orgId, conversation._id, reason, triggerKey);
    return { outcome: "handover", reason };
  }
  if (sent.status === "failed") {
    const reason = `The AI reply was not delivered: ${sent.error?.message ?? sent.error?.title ?? "WhatsApp error"}`;
    await handOver(orgId, conversation._id, reason, triggerKey);
    return { outcome: "handover", reason };
  }
  await scoped(orgId)("conversations").updateOne(
    { _id: conversation._id, status: { $in: [...AI_STATUSES] }, assigneeId: null },
    { $set: { status: "ai_handled", "ai.confidence": decision.confidence, updatedAt: new Date() }, $inc: { "ai.consecutiveReplies": 1 } },
  );
  log.info("ai.replied", { orgId: orgId.toHexString(), conversationId: conversation._id.toHexString(), inReplyTo: latest._id.toHexString(), confidence: decision.confidence, agent: agent.name });
  return { outcome: decision.kind === "reply" ? "replied" : "asked", messageId: sent._id, confidence: decision.confidence };
}

/** One delivery answers a given customer message (an insert under a unique key is atomic on every backend). */
async function claimReply(orgId: ObjectId, key: string, by: string): Promise<boolean> {
  const claims = scoped(orgId)("ai_reply_claims");
  try {
    await claims.insertOne({ _id: new ObjectId(), key, by, createdAt: new Date() });
    return true;
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    return (await claims.findOne({ key }))?.by === by;
  }
}

export const aiReplyJob = defineJob({
  name: "ai-reply",
  schema: aiReplyPayload,
  retries: 3,
  handle: async (p, ctx) => replyToConversation(new ObjectId(p.orgId), new ObjectId(p.conversationId), ctx.messageId),
});
