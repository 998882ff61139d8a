import { ObjectId } from "mongodb";
import { z } from "zod";
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
 * What resolving a conversation does for the AI: it starts fresh if the customer writes again (these
 * fields, which the inbox sets in its own status write, so no second round trip) and the conversation
 * is analysed in the background.
 */
export const aiResetOnResolve = { "ai.handoverReason": null, "ai.consecutiveReplies": 0 } as const;

/** The background analysis of a resolved conversation. */
export function enqueueResolvedAnalysis(orgId: ObjectId, conversationId: ObjectId) {
  // One analysis per resolution: resolving twice within the same 10 s (double click) enqueues once.
  return enqueue(
    "ai-analyze",
    { orgId: orgId.toHexString(), conversationId: conversationId.toHexString() },
    { deduplicationId: `ai-analyze-${conversationId.toHexString()}-${Math.floor(Date.now() / 10_000)}` },
  );
}
