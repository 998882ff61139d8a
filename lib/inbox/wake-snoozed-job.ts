import { z } from "zod";
import { recordActivity } from "@/lib/audit/audit";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { defineJob } from "@/lib/jobs/define-job";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import { addSystemMessage } from "./system-message";

const BATCH = 200;

/**
 * `wake-snoozed` (every minute): snoozed conversations whose time has come go back to `assigned`
 * (or `open` without an assignee). Runs across organizations, so it reads the raw collection and
 * then writes through each conversation's own scope. The conditional update makes a duplicate
 * delivery a no-op; a full batch re-enqueues the rest.
 */
export const wakeSnoozedJob = defineJob({
  name: "wake-snoozed",
  schema: z.object({}),
  retries: 3,
  handle: async (_payload, ctx) => {
    const now = new Date();
    const due = (await rawCollection("conversations")
      .find({ status: "snoozed", snoozedUntil: { $lte: now } }, { sort: { snoozedUntil: 1 }, limit: BATCH })
      .toArray()) as ConversationDoc[];
    let woken = 0;
    for (const c of due) {
      const status = c.assigneeId ? "assigned" : "open";
      const db = scoped(c.orgId);
      const res = await db("conversations").updateOne(
        { _id: c._id, status: "snoozed", snoozedUntil: c.snoozedUntil },
        { $set: { status, snoozedUntil: null, updatedAt: new Date() } },
      );
      if (res.modifiedCount === 0) continue;
      woken++;
      await addSystemMessage(c.orgId, c, {
        text: "The snooze ended; the conversation is open again",
        payload: { event: "snooze_ended", until: c.snoozedUntil!.toISOString() },
        key: `${c._id.toHexString()}:${c.snoozedUntil!.getTime()}`,
      });
      await recordActivity(c.orgId, { id: null, name: "Snooze timer" }, {
        action: "conversation.snooze_ended",
        entityType: "conversation",
        entityId: c._id,
        before: { status: "snoozed" },
        after: { status },
      });
    }
    if (due.length === BATCH) await ctx.enqueue("wake-snoozed", {});
    return { woken };
  },
});
