import { describe, expect, it } from "vitest";
import { scoped } from "@/lib/db/scoped";
import { autoAssign } from "@/lib/inbox/auto-assign";
import { jobRegistry } from "@/lib/jobs/registry";
import { runJob } from "@/lib/jobs/run-job";
import { createOrg } from "../support/factories";
import { seedConversation } from "../support/inbox-fixtures";

async function team() {
  const org = await createOrg();
  const db = scoped(org.orgId);
  await db("users").updateMany({ role: "agent" }, { $set: { availability: "online" } });
  return { ...org, db };
}

describe("autoAssign (round-robin)", () => {
  it("alternates between online agents, skips offline ones and agents at their limit, and logs every decision", async () => {
    const { orgId, users, db } = await team();
    const ids = [];
    for (let i = 0; i < 4; i++) {
      const c = await seedConversation(orgId);
      const r = await autoAssign(orgId, c._id);
      expect(r.assigned).toBe(true);
      ids.push(r.assigned ? r.assigneeId.toHexString() : null);
    }
    const agents = [users.agent._id.toHexString(), users.agent2._id.toHexString()];
    expect(new Set(ids.slice(0, 2))).toEqual(new Set(agents));
    expect(ids.slice(2)).toEqual(ids.slice(0, 2));

    // agent2 at their personal limit (2 open), agent offline: nobody is left.
    await db("users").updateOne({ _id: users.agent2._id }, { $set: { maxConversations: 2 } });
    await db("users").updateOne({ _id: users.agent._id }, { $set: { availability: "away" } });
    const waiting = await seedConversation(orgId);
    expect(await autoAssign(orgId, waiting._id)).toEqual({ assigned: false, reason: "no_agent_available" });
    expect(await db("conversations").findOne({ _id: waiting._id })).toMatchObject({ assigneeId: null, status: "open" });

    const lines = await db("messages").find({ type: "system" }, { sort: { sentAt: 1 } }).toArray();
    expect(lines.map((l) => l.text)).toEqual([
      expect.stringMatching(/^Auto-assigned to (agent user|second agent) \(round-robin among 2 available online agents; 0 other open\)$/),
      expect.stringMatching(/^Auto-assigned to (agent user|second agent) \(round-robin among 2 available online agents; 0 other open\)$/),
      expect.stringMatching(/^Auto-assigned to .* \(round-robin among 2 available online agents; 1 other open\)$/),
      expect.stringMatching(/^Auto-assigned to .* \(round-robin among 2 available online agents; 1 other open\)$/),
      "No online agent is under their conversation limit; the conversation waits in Unassigned",
    ]);
    const audit = await db("activity_logs").find({}, { sort: { at: 1 } }).toArray();
    expect(audit.map((a) => a.action)).toEqual([...Array(4).fill("conversation.auto_assigned"), "conversation.auto_assign_skipped"]);
    expect(audit[0]).toMatchObject({ actorId: null, actorName: "Auto-assignment" });
  });

  it("respects the org setting and leaves assigned, AI-handled or resolved conversations alone", async () => {
    const { orgId, users, db } = await team();
    const assigned = await seedConversation(orgId, { assigneeId: users.agent2._id });
    const ai = await seedConversation(orgId, { status: "ai_handled" });
    const resolved = await seedConversation(orgId, { status: "resolved" });
    for (const c of [assigned, ai, resolved]) expect(await autoAssign(orgId, c._id)).toEqual({ assigned: false, reason: "not_needed" });
    await db("settings").updateOne({}, { $set: { autoAssignment: false } });
    const fresh = await seedConversation(orgId);
    expect(await autoAssign(orgId, fresh._id)).toEqual({ assigned: false, reason: "disabled" });
    expect(await db("messages").countDocuments({})).toBe(0);
  });

  it("gives consecutive conversations to different agents through the conversation-assign job, leaving AI-answered ones to the AI", async () => {
    const { orgId, users, db } = await team();
    const [a, b, aiAnswers] = [await seedConversation(orgId), await seedConversation(orgId), await seedConversation(orgId)];
    // AI off for these two: they need a human. The third stays with the AI, which hands over itself.
    await db("conversations").updateMany({ _id: { $in: [a._id, b._id] } }, { $set: { "ai.enabled": false } });
    const skipped = await runJob(jobRegistry, "conversation-assign", { orgId: orgId.toHexString(), conversationId: aiAnswers._id.toHexString() }, { messageId: `assign-ai-${aiAnswers._id}`, attempt: 1 });
    expect(skipped).toEqual({ status: "completed" });
    expect(await db("conversations").findOne({ _id: aiAnswers._id })).toMatchObject({ assigneeId: null, status: "open" });
    // At the same time: each decision claims the agent it picked by compare-and-set, so both agents get one.
    const outcomes = await Promise.all(
      [a, b].map((c, i) => runJob(jobRegistry, "conversation-assign", { orgId: orgId.toHexString(), conversationId: c._id.toHexString() }, { messageId: `assign-${i}-${c._id}`, attempt: 1 })),
    );
    expect(outcomes).toEqual([{ status: "completed" }, { status: "completed" }]);
    const owners = (await db("conversations").find({ _id: { $in: [a._id, b._id] } }).toArray()).map((c) => c.assigneeId?.toHexString());
    expect(new Set(owners)).toEqual(new Set([users.agent._id.toHexString(), users.agent2._id.toHexString()]));
  });
});
