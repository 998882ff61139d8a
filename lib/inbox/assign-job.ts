import { ObjectId } from "mongodb";
import { z } from "zod";
import { scoped } from "@/lib/db/scoped";
import { defineJob } from "@/lib/jobs/define-job";
import { idString } from "@/lib/schemas/common";
import { getSettings } from "@/lib/settings/settings";
import { autoAssign } from "./auto-assign";

export const conversationAssignPayload = z.object({ orgId: idString, conversationId: idString });

/**
 * `conversation-assign`: enqueued by ingestion for every conversation a customer wrote to. Only
 * conversations that need a human are assigned: with AI on (org and conversation) the AI answers
 * first and calls `autoAssign` itself when it hands over.
 */
export const conversationAssignJob = defineJob({
  name: "conversation-assign",
  schema: conversationAssignPayload,
  retries: 3,
  handle: async (p) => {
    const orgId = new ObjectId(p.orgId);
    const conversationId = new ObjectId(p.conversationId);
    const [settings, conversation] = await Promise.all([getSettings(orgId), scoped(orgId)("conversations").findOne({ _id: conversationId }, { projection: { ai: 1 } })]);
    if (settings.aiEnabled && conversation?.ai.enabled) return { assigned: false, reason: "ai_handles" };
    return autoAssign(orgId, conversationId);
  },
});
