import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as sendReply } from "@/app/api/conversations/[id]/messages/route";
import { GET as getSettings, PUT as putSettings } from "@/app/api/settings/route";
import { scoped } from "@/lib/db/scoped";
import type { ConversationResponse, MessageResponse } from "@/lib/schemas/inbox";
import type { UserDoc } from "@/lib/schemas/user";
import { createConversation } from "../support/conversation-fixtures";
import { createOrg, request, routeParams } from "../support/factories";
import { insertSimAccount, startSimulatedWhatsApp } from "../support/graph-sim";

let stop: () => Promise<void>;
let sim: Awaited<ReturnType<typeof startSimulatedWhatsApp>>["sim"];
let org: Awaited<ReturnType<typeof createOrg>>;
let account: Awaited<ReturnType<typeof insertSimAccount>>;
let n = 0;

beforeAll(async () => {
  const started = await startSimulatedWhatsApp();
  sim = started.sim;
  stop = async () => {
    await started.sim.stop();
    await started.capture.stop();
  };
  org = await createOrg();
  account = await insertSimAccount(org.orgId);
});
afterAll(async () => stop());

async function openConversation(patch: { assigneeId?: UserDoc["_id"]; status?: "open" | "ai_handled" | "assigned" } = {}) {
  const { conversation, contact } = await createConversation(org.orgId, account._id);
  sim.sim.setLastInbound(contact.waId!, new Date());
  if (Object.keys(patch).length) await scoped(org.orgId)("conversations").updateOne({ _id: conversation._id }, { $set: patch });
  return conversation;
}

async function reply(user: UserDoc, conversationId: string, text: string) {
  const res = await sendReply(
    await request(user, `/api/conversations/${conversationId}/messages`, { method: "POST", body: { idempotencyKey: `reply-${Date.now()}-${n++}`, content: { type: "text", text } } }),
    routeParams({ id: conversationId }),
  );
  return { status: res.status, body: (await res.json()) as { message: MessageResponse; conversation?: ConversationResponse } };
}

/** The admin flips "Assign on reply" in General settings. */
async function setAutoAssignOnReply(on: boolean) {
  const res = await putSettings(await request(org.users.admin, "/api/settings", { method: "PUT", body: { autoAssignOnReply: on } }), routeParams({}));
  expect(res.status).toBe(200);
  expect(((await res.json()) as { settings: { autoAssignOnReply: boolean } }).settings.autoAssignOnReply).toBe(on);
}

describe("a reply to an unassigned conversation assigns it to the agent who replied", () => {
  it("assigns it, says so in the thread and the audit log, and returns the conversation with its new assignee", async () => {
    const conv = await openConversation();
    const id = conv._id.toHexString();
    const { status, body } = await reply(org.users.agent, id, "Hi, I am on it");
    expect(status).toBe(201);
    expect(body.message.text).toBe("Hi, I am on it");
    expect(body.conversation).toMatchObject({ id, assigneeId: org.users.agent._id.toHexString(), status: "assigned" });

    const stored = (await scoped(org.orgId)("conversations").findOne({ _id: conv._id }))!;
    expect(stored.assigneeId?.equals(org.users.agent._id)).toBe(true);
    const system = await scoped(org.orgId)("messages").findOne({ conversationId: conv._id, type: "system" });
    expect(system?.text).toBe("agent user took the conversation");
    const audit = await scoped(org.orgId)("activity_logs").find({ entityId: conv._id }).toArray();
    expect(audit.map((a) => [a.action, a.before, a.after])).toEqual([
      ["conversation.assigned", { assigneeId: null, status: "open" }, { assigneeId: org.users.agent._id.toHexString(), status: "assigned" }],
    ]);

    // The next reply changes nothing more.
    const again = await reply(org.users.agent, id, "Still here");
    expect(again.body.conversation).toBeUndefined();
    expect(await scoped(org.orgId)("activity_logs").countDocuments({ entityId: conv._id })).toBe(1);
  });

  it("takes an AI-handled conversation over for the person who replied", async () => {
    const conv = await openConversation({ status: "ai_handled" });
    const { body } = await reply(org.users.supervisor, conv._id.toHexString(), "Let me help");
    expect(body.conversation).toMatchObject({ assigneeId: org.users.supervisor._id.toHexString(), status: "assigned" });
  });

  it("leaves someone else's conversation with them", async () => {
    const conv = await openConversation({ assigneeId: org.users.agent2._id, status: "assigned" });
    const { status, body } = await reply(org.users.supervisor, conv._id.toHexString(), "Covering for Bea");
    expect(status).toBe(201);
    expect(body.conversation).toBeUndefined();
    expect((await scoped(org.orgId)("conversations").findOne({ _id: conv._id }))!.assigneeId?.equals(org.users.agent2._id)).toBe(true);
  });

  it("is on by default, and does nothing once the admin switched it off", async () => {
    const current = (await (await getSettings(await request(org.users.admin, "/api/settings"), routeParams({}))).json()) as { settings: { autoAssignOnReply: boolean } };
    expect(current.settings.autoAssignOnReply).toBe(true);
    await setAutoAssignOnReply(false);
    const audit = await scoped(org.orgId)("activity_logs").findOne({ action: "settings.updated" }, { sort: { _id: -1 } });
    expect([audit?.before, audit?.after]).toEqual([{ autoAssignOnReply: true }, { autoAssignOnReply: false }]);
    try {
      const conv = await openConversation();
      const { body } = await reply(org.users.agent, conv._id.toHexString(), "Just a quick answer");
      expect(body.conversation).toBeUndefined();
      expect((await scoped(org.orgId)("conversations").findOne({ _id: conv._id }))!.assigneeId).toBeNull();
      expect(await scoped(org.orgId)("activity_logs").countDocuments({ entityId: conv._id })).toBe(0);
    } finally {
      await setAutoAssignOnReply(true);
    }
  });
});
