import type { ObjectId } from "mongodb";
import { z } from "zod";
import { recordActivity } from "@/lib/audit/audit";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { defineJob } from "@/lib/jobs/define-job";
import { addSystemMessage } from "./system-message";

const BATCH = 200;

/**
 * `wake-snoozed` (every minute): snoozed conversations whose time has come go back to `assigned`
 * (or `open` without an assignee). One query per organization, each served by the
 * `{ orgId, status, snoozedUntil }` index (a query across organizations would have no index to use
 * but a scan). The conditional update makes a duplicate delivery a no-op; an organization with a
 * full batch re-enqueues the job for the rest.
 */
export const wakeSnoozedJob = defineJob({
  name: "wake-snoozed",
  schema: z.object({}),
  retries: 3,
  handle: async (_payload, ctx) => {
    const now = new Date();
    let woken = 0;
    let more = false;
    for await (const org of rawCollection("organizations").find({}, { projection: { _id: 1 }, sort: { _id: 1 } })) {
      const r = await wakeDue(org._id, now);
      woken += r.woken;
      more ||= r.full;
    }
    if (more) await ctx.enqueue("wake-snoozed", {});
    return { woken };
  },
});

async function wakeDue(orgId: ObjectId, now: Date): Promise<{ woken: number; full: boolean }> {
  const conversations = scoped(orgId)("conversations");
  const due = await conversations.find({ status: "snoozed", snoozedUntil: { $lte: now } }, { sort: { snoozedUntil: 1 }, limit: BATCH }).toArray();
  let woken = 0;
  for (const c of due) {
    const until = c.snoozedUntil!;
    const status = c.assigneeId ? "assigned" : "open";
    const res = await conversations.updateOne({ _id: c._id, status: "snoozed", snoozedUntil: until }, { $set: { status, snoozedUntil: null, updatedAt: new Date() } });
    if (res.modifiedCount === 0) continue;
    woken++;
    await addSystemMessage(orgId, c, {
      text: "The snooze ended; the conversation is open again",
      payload: { event: "snooze_ended", until: until.toISOString() },
      key: `${c._id.toHexString()}:${until.getTime()}`,
    });
    await recordActivity(orgId, { id: null, name: "Snooze timer" }, {
      action: "conversation.snooze_ended",
      entityType: "conversation",
      entityId: c._id,
      before: { status: "snoozed" },
      after: { status },
    });
  }
  return { woken, full: due.length === BATCH };
}
