import { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { recordActivity } from "@/lib/audit/audit";
import { listAuditLog } from "@/lib/audit/audit-log";
import { scoped } from "@/lib/db/scoped";
import { auditLogQuery } from "@/lib/schemas/activity-log";
import { createOrg } from "../support/factories";
import { seedConversation } from "../support/inbox-fixtures";

const line = (r: { actor: { name: string }; verb: string; entity: string | null; suffix: string }) => `${r.actor.name} ${r.verb}${r.entity ? ` ${r.entity}` : ""}${r.suffix}`;

describe("audit log", () => {
  it("reads as who did what to which, with names instead of ids and before → after", async () => {
    const { orgId, users } = await createOrg();
    const conv = await seedConversation(orgId, { name: "Maria Garcia" });
    const admin = { id: users.admin._id, name: users.admin.name };
    await recordActivity(orgId, admin, {
      action: "conversation.assigned", entityType: "conversation", entityId: conv._id,
      before: { assigneeId: null, status: "open" }, after: { assigneeId: users.agent._id.toHexString(), status: "assigned" },
    });
    await recordActivity(orgId, { id: null, name: "AI agent" }, { action: "conversation.priority_changed", entityType: "conversation", entityId: conv._id, before: { priority: "normal" }, after: { priority: "high" } });

    const { rows } = await listAuditLog(orgId, {});
    expect(rows.map(line)).toEqual([
      "AI agent changed the priority of the conversation with Maria Garcia",
      "admin user assigned the conversation with Maria Garcia to agent user",
    ]);
    expect(rows[0]!.actor.person).toBe(false);
    expect(rows[1]!.changes).toEqual([
      { field: "assignee", before: "nobody", after: "agent user" },
      { field: "status", before: "open", after: "assigned" },
    ]);
    expect(JSON.stringify(rows.map(({ id: _key, ...shown }) => shown))).not.toMatch(/[a-f0-9]{24}/); // no database id shown
  });

  it("filters by actor (a person or automation), kind of record and action, and pages newest first without overlap", async () => {
    const { orgId, users } = await createOrg();
    const conv = await seedConversation(orgId);
    const agent = { id: users.agent._id, name: users.agent.name };
    for (let i = 0; i < 5; i++) {
      await recordActivity(orgId, agent, { action: "conversation.resolved", entityType: "conversation", entityId: conv._id, before: { status: "open" }, after: { status: "resolved" } });
    }
    await recordActivity(orgId, { id: null, name: "Auto-assignment" }, { action: "conversation.auto_assigned", entityType: "conversation", entityId: conv._id, after: { assigneeId: users.agent._id.toHexString() } });
    await recordActivity(orgId, { id: users.admin._id, name: users.admin.name }, { action: "settings.updated", entityType: "settings", entityId: null, before: { autoAssign: false }, after: { autoAssign: true } });

    expect((await listAuditLog(orgId, { actor: users.agent._id.toHexString() })).rows).toHaveLength(5);
    expect((await listAuditLog(orgId, { actor: "automation" })).rows.map((r) => r.action)).toEqual(["conversation.auto_assigned"]);
    expect((await listAuditLog(orgId, { entity: "settings" })).rows.map(line)).toEqual(["admin user changed the organization's settings"]);
    expect((await listAuditLog(orgId, { action: "conversation.resolved" })).rows).toHaveLength(5);

    const first = await listAuditLog(orgId, {}, 4);
    expect(first.rows).toHaveLength(4);
    const second = await listAuditLog(orgId, { cursor: first.nextCursor! }, 4);
    expect(second.rows).toHaveLength(3);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.rows, ...second.rows].map((r) => r.id);
    expect(new Set(ids).size).toBe(7);
    const times = [...first.rows, ...second.rows].map((r) => r.at);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it("never shows another organization's entries or names", async () => {
    const a = await createOrg("A");
    const b = await createOrg("B");
    const convB = await seedConversation(b.orgId, { name: "Secret Customer" });
    await recordActivity(b.orgId, { id: b.users.admin._id, name: "B admin" }, { action: "conversation.resolved", entityType: "conversation", entityId: convB._id });
    // An entry in A that points at B's records must not resolve their names.
    await recordActivity(a.orgId, { id: b.users.admin._id, name: "stored name" }, { action: "conversation.resolved", entityType: "conversation", entityId: convB._id });
    const { rows } = await listAuditLog(a.orgId, {});
    expect(rows.map(line)).toEqual(["stored name resolved a conversation that no longer exists"]);
    expect((await listAuditLog(a.orgId, { actor: b.users.admin._id.toHexString() })).rows).toHaveLength(1);
    expect(await scoped(a.orgId)("activity_logs").countDocuments({})).toBe(1);
  });

  it("refuses filters that are not filters, so the page can say so", () => {
    expect(auditLogQuery.safeParse({ action: "drop table" }).success).toBe(false);
    expect(auditLogQuery.safeParse({ actor: "someone" }).success).toBe(false);
    expect(auditLogQuery.safeParse({ cursor: "abc" }).success).toBe(false);
    expect(auditLogQuery.safeParse({ entity: "conversation", actor: new ObjectId().toHexString() }).success).toBe(true);
  });
});
