import { ObjectId } from "mongodb";
import { z } from "zod";
import { scoped } from "@/lib/db/scoped";
import { defineJob, PermanentJobError } from "@/lib/jobs/define-job";
import { enqueue } from "@/lib/jobs/enqueue";
import { idString } from "@/lib/schemas/common";
import { analyzeConversation } from "./analysis-agent";
import { AiProviderError } from "./provider";

export const aiAnalyzePayload = z.object({ orgId: idString, conversationId: idString });

export const aiAnalyzeJob = defineJob({
  name: "ai-analyze",
  schema: aiAnalyzePayload,
  retries: 3,
  handle: async (p) => {
    try {
      return await analyzeConversation(new ObjectId(p.orgId), new ObjectId(p.conversationId));
    } catch (err) {
      // Rate limits and outages are worth retrying; an answer that does not fit the schema or a bad request is not.
      if (err instanceof AiProviderError && !["rate_limited", "unavailable", "timeout"].includes(err.kind)) throw new PermanentJobError(err.message);
      throw err;
    }
  },
});

/**
 * INBOX calls this after resolving a conversation: the AI starts fresh if the customer writes again
 * (handover reason and reply counter cleared) and the conversation is analysed in the background.
 */
export async function onConversationResolved(orgId: ObjectId, conversationId: ObjectId) {
  await scoped(orgId)("conversations").updateOne(
    { _id: conversationId },
    { $set: { "ai.handoverReason": null, "ai.consecutiveReplies": 0, updatedAt: new Date() } },
  );
  // One analysis per resolution: resolving twice within the same 10 s (double click) enqueues once.
  return enqueue(
    "ai-analyze",
    { orgId: orgId.toHexString(), conversationId: conversationId.toHexString() },
    { deduplicationId: `ai-analyze-${conversationId.toHexString()}-${Math.floor(Date.now() / 10_000)}` },
  );
}
