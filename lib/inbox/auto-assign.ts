import type { ObjectId } from "mongodb";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { scoped } from "@/lib/db/scoped";
import { log } from "@/lib/log";
import { emitEvent } from "@/lib/outbound-webhooks/emit";
import { conversationData } from "@/lib/outbound-webhooks/payloads";
import type { UserDoc } from "@/lib/schemas/user";
import { getSettings } from "@/lib/settings/settings";
import { addSystemMessage } from "./system-message";

/** Conversations that count against an agent's concurrent limit. */
const LOAD_STATUSES = ["open", "assigned", "waiting"];
const autoActor: Actor = { id: null, name: "Auto-assignment" };

export type AutoAssignResult =
  | { assigned: true; assigneeId: ObjectId; assigneeName: string }
  | { assigned: false; reason: "disabled" | "not_needed" | "no_agent_available" | "taken" };

/**
 * Round-robin among online agents under their concurrent limit (`maxConversations`, else the org's
 * `maxConversationsPerAgent`): the agent auto-assigned longest ago goes next. The agent is claimed
 * by compare-and-set on the `lastAutoAssignedAt` this decision read, so concurrent decisions (on
 * one instance or several) each take a different agent, and the conversation only if it is still
 * unassigned and open. Every decision lands in the thread and the audit log.
 */
export async function autoAssign(orgId: ObjectId, conversationId: ObjectId): Promise<AutoAssignResult> {
  const db = scoped(orgId);
  const settings = await getSettings(orgId);
  if (!settings.autoAssignment) return { assigned: false, reason: "disabled" };
  const conversation = await db("conversations").findOne({ _id: conversationId });
  if (!conversation || conversation.assigneeId !== null || conversation.status !== "open") return { assigned: false, reason: "not_needed" };

  const agents = (await db("users").find({ role: "agent", active: true, availability: "online" }).toArray()) as UserDoc[];
  const load = new Map<string, number>();
  if (agents.length) {
    const rows = await db("conversations").aggregate<{ _id: ObjectId; n: number }>([
        { $match: { assigneeId: { $in: agents.map((a) => a._id) }, status: { $in: LOAD_STATUSES } } },
        { $group: { _id: "$assigneeId", n: { $sum: 1 } } },
      ]).toArray();
    for (const r of rows) load.set(r._id.toHexString(), r.n);
  }
  const candidates = agents
    .filter((a) => (load.get(a._id.toHexString()) ?? 0) < (a.maxConversations ?? settings.maxConversationsPerAgent))
    .sort((a, b) => (a.lastAutoAssignedAt?.getTime() ?? 0) - (b.lastAutoAssignedAt?.getTime() ?? 0) || a._id.toHexString().localeCompare(b._id.toHexString()));

  for (const agent of candidates) {
    const now = new Date();
    const claimed = await db("users").findOneAndUpdate(
      { _id: agent._id, lastAutoAssignedAt: agent.lastAutoAssignedAt ?? null },
      { $set: { lastAutoAssignedAt: now } },
      { projection: { _id: 1 } },
    );
    if (!claimed) continue;
    const updated = await db("conversations").findOneAndUpdate(
      { _id: conversationId, assigneeId: null, status: "open" },
      { $set: { assigneeId: agent._id, status: "assigned", updatedAt: now } },
      { returnDocument: "after" },
    );
    if (!updated) return { assigned: false, reason: "taken" };
    const open = load.get(agent._id.toHexString()) ?? 0;
    await addSystemMessage(orgId, conversation, {
      text: `Auto-assigned to ${agent.name} (round-robin among ${candidates.length} available online ${candidates.length === 1 ? "agent" : "agents"}; ${open} other open)`,
      payload: { event: "auto_assigned", assigneeId: agent._id.toHexString(), assigneeName: agent.name, candidates: candidates.length, load: open },
      key: conversationId.toHexString(),
      at: now,
    });
    await recordActivity(orgId, autoActor, {
      action: "conversation.auto_assigned",
      entityType: "conversation",
      entityId: conversationId,
      before: { assigneeId: null },
      after: { assigneeId: agent._id.toHexString(), candidates: candidates.length, load: open },
    });
    // assignedBy null: no person assigned it.
    await emitEvent(orgId, "conversation.assigned", { ...conversationData(updated), assignedBy: null });
    log.info("inbox.auto_assigned", { orgId: orgId.toHexString(), conversationId: conversationId.toHexString(), assigneeId: agent._id.toHexString() });
    return { assigned: true, assigneeId: agent._id, assigneeName: agent.name };
  }

  await addSystemMessage(orgId, conversation, {
    text: "No online agent is under their conversation limit; the conversation waits in Unassigned",
    payload: { event: "auto_assign_skipped", online: agents.length },
    key: `${conversationId.toHexString()}:${conversation.updatedAt.getTime()}`,
  });
  await db("conversations").updateOne({ _id: conversationId }, { $set: { updatedAt: new Date() } });
  await recordActivity(orgId, autoActor, {
    action: "conversation.auto_assign_skipped",
    entityType: "conversation",
    entityId: conversationId,
    after: { online: agents.length, reason: "no_agent_available" },
  });
  return { assigned: false, reason: "no_agent_available" };
}
