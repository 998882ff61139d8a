import { ObjectId } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PATCH as patchConversation } from "@/app/api/conversations/[id]/route";
import { PUT as putAssignee } from "@/app/api/conversations/[id]/assignee/route";
import { PUT as putStatus } from "@/app/api/conversations/[id]/status/route";
import { POST as postNote } from "@/app/api/conversations/[id]/notes/route";
import { POST as postRead } from "@/app/api/conversations/[id]/read/route";
import { GET as getMessages, POST as postMessage } from "@/app/api/conversations/[id]/messages/route";
import { POST as postRetry } from "@/app/api/conversations/[id]/messages/[messageId]/retry/route";
import { PATCH as patchContact, GET as getContact } from "@/app/api/contacts/[id]/route";
import { GET as listConversations } from "@/app/api/conversations/route";
import { scoped } from "@/lib/db/scoped";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import { createOrg, request, routeParams } from "../support/factories";
import { insertSimAccount, startSimulatedWhatsApp, startSimulator, startWebhookCapture } from "../support/graph-sim";
import { seedConversation, seedMessage } from "../support/inbox-fixtures";

type User = Parameters<typeof request>[0];
type Handler = (req: Awaited<ReturnType<typeof request>>, ctx: ReturnType<typeof routeParams>) => Promise<Response>;

let capture: Awaited<ReturnType<typeof startWebhookCapture>>;
let sim: Awaited<ReturnType<typeof startSimulator>>;
// One organization owns the simulated number (phone number ids are globally unique); each test gets its own conversation.
let org: Awaited<ReturnType<typeof createOrg>>;
let account: Awaited<ReturnType<typeof insertSimAccount>>;

beforeAll(async () => {
  ({ capture, sim } = await startSimulatedWhatsApp());
  org = await createOrg();
  account = await insertSimAccount(org.orgId);
});
afterAll(async () => {
  await sim.stop();
  await capture.stop();
});

async function call(handler: Handler, user: User, conv: { _id: { toHexString(): string } }, path: string, method: string, body?: unknown, extra: Record<string, string> = {}) {
  const id = conv._id.toHexString();
  const res = await handler(await request(user, `/api/conversations/${id}${path}`, { method, body }), routeParams({ id, ...extra }));
  return { status: res.status, body: await res.json() };
}

let phoneSeq = 0;
async function setup() {
  const phone = `+1415555${String(1000 + ++phoneSeq)}`;
  const conv = await seedConversation(org.orgId, { accountId: account._id, unreadCount: 3, name: "Maria Garcia", phone });
  // The simulator enforces the 24-hour window from its own record of the customer's messages.
  sim.sim.setLastInbound(phone.slice(1), new Date());
  return { ...org, account, conv, waId: phone.slice(1) };
}

async function thread(orgId: Parameters<typeof scoped>[0], conv: Pick<ConversationDoc, "_id">) {
  return (await scoped(orgId)("messages").find({ conversationId: conv._id }, { sort: { sentAt: 1, _id: 1 } }).toArray());
}

const key = () => `k-${Math.random().toString(36).slice(2, 12)}`;

describe("assignment", () => {
  it("lets an agent take an unassigned conversation and release it, with system messages and audit entries", async () => {
    const { orgId, users, conv } = await setup();
    const taken = await call(putAssignee, users.agent, conv, "/assignee", "PUT", { assigneeId: "me" });
    expect(taken.status).toBe(200);
    expect(taken.body.conversation).toMatchObject({ assigneeId: users.agent._id.toHexString(), status: "assigned" });
    const released = await call(putAssignee, users.agent, conv, "/assignee", "PUT", { assigneeId: null });
    expect(released.body.conversation).toMatchObject({ assigneeId: null, status: "open" });

    expect((await thread(orgId, conv)).map((m) => [m.type, m.text])).toEqual([
      ["system", "agent user took the conversation"],
      ["system", "agent user unassigned the conversation"],
    ]);
    const audit = await scoped(orgId)("activity_logs").find({ entityId: conv._id }, { sort: { at: 1 } }).toArray();
    expect(audit.map((a) => [a.action, a.actorId?.toHexString()])).toEqual([
      ["conversation.assigned", users.agent._id.toHexString()],
      ["conversation.unassigned", users.agent._id.toHexString()],
    ]);
  });

  it("lets supervisors assign to someone else, and refuses agents who try", async () => {
    const { users, conv } = await setup();
    const denied = await call(putAssignee, users.agent, conv, "/assignee", "PUT", { assigneeId: users.agent2._id.toHexString() });
    expect(denied).toEqual({ status: 403, body: { error: { code: "forbidden", message: "Only supervisors and admins can assign conversations to others or reassign them" } } });
    const ok = await call(putAssignee, users.supervisor, conv, "/assignee", "PUT", { assigneeId: users.agent2._id.toHexString() });
    expect(ok.body.conversation.assigneeId).toBe(users.agent2._id.toHexString());
    // Now agent2's: the first agent can no longer even see it.
    const hidden = await call(putAssignee, users.agent, conv, "/assignee", "PUT", { assigneeId: "me" });
    expect(hidden).toEqual({ status: 403, body: { error: { code: "forbidden", message: "You do not have access to this conversation" } } });
    const viewer = await call(putAssignee, users.supervisor, conv, "/assignee", "PUT", { assigneeId: users.viewer._id.toHexString() });
    expect(viewer).toEqual({
      status: 422,
      body: { error: { code: "unprocessable_entity", message: "The assignee must be an active agent, supervisor or admin of this organization" } },
    });
  });
});

describe("status", () => {
  it("resolves, reopens, snoozes and closes with the live key rewritten on close", async () => {
    const { orgId, users, conv } = await setup();
    expect((await call(putStatus, users.agent, conv, "/status", "PUT", { status: "resolved" })).body.conversation).toMatchObject({ status: "resolved", resolvedAt: expect.any(String) });
    expect((await call(putStatus, users.agent, conv, "/status", "PUT", { status: "open" })).body.conversation).toMatchObject({ status: "open", resolvedAt: null });
    const until = new Date(Date.now() + 3 * 3600_000);
    expect((await call(putStatus, users.agent, conv, "/status", "PUT", { status: "snoozed", snoozedUntil: until.toISOString() })).body.conversation).toMatchObject({
      status: "snoozed",
      snoozedUntil: until.toISOString(),
    });
    expect((await call(putStatus, users.agent, conv, "/status", "PUT", { status: "waiting" })).body.conversation).toMatchObject({ status: "waiting", snoozedUntil: null });
    await call(putStatus, users.agent, conv, "/status", "PUT", { status: "closed" });
    const stored = await scoped(orgId)("conversations").findOne({ _id: conv._id });
    expect(stored).toMatchObject({ status: "closed", liveKey: `closed:${conv._id.toHexString()}` });

    const texts = (await thread(orgId, conv)).map((m) => m.text);
    expect(texts).toEqual([
      "agent user resolved the conversation",
      "agent user reopened the conversation",
      expect.stringMatching(/^agent user snoozed the conversation until \d+ \w+ \d{4}, \d\d:\d\d UTC$/),
      "agent user marked the conversation as waiting for the customer",
      "agent user closed the conversation",
    ]);
    const actions = (await scoped(orgId)("activity_logs").find({ entityId: conv._id }, { sort: { at: 1 } }).toArray()).map((a) => a.action);
    expect(actions).toEqual(["conversation.resolved", "conversation.reopened", "conversation.snoozed", "conversation.waiting", "conversation.closed"]);
  });

  it("refuses to reopen a closed conversation while the contact has a newer live one", async () => {
    const { orgId, users, conv } = await setup();
    await call(putStatus, users.agent, conv, "/status", "PUT", { status: "closed" });
    const { orgId: _o, ...copy } = conv;
    await scoped(orgId)("conversations").insertOne({ ...copy, _id: new ObjectId() });
    const res = await call(putStatus, users.agent, conv, "/status", "PUT", { status: "open" });
    expect(res).toEqual({
      status: 409,
      body: { error: { code: "conflict", message: "This contact already has a newer open conversation; continue there instead of reopening this one" } },
    });
  });

  it("wakes snoozed conversations of every organization when their time comes (wake-snoozed job)", async () => {
    const { orgId, users } = await setup();
    const other = await createOrg("Other");
    const due = await seedConversation(orgId, { status: "snoozed", assigneeId: users.agent._id, snoozedUntil: new Date(Date.now() - 1000) });
    const later = await seedConversation(orgId, { status: "snoozed", snoozedUntil: new Date(Date.now() + 3600_000) });
    const otherDue = await seedConversation(other.orgId, { status: "snoozed", snoozedUntil: new Date(Date.now() - 60_000) });
    const { wakeSnoozedJob } = await import("@/lib/inbox/wake-snoozed-job");
    const ctx = { messageId: "m1", attempt: 1, enqueue: async () => ({ messageId: "x", deduplicated: false }) };
    expect(await wakeSnoozedJob.handle({}, ctx)).toEqual({ woken: 2 });
    expect(await wakeSnoozedJob.handle({}, ctx)).toEqual({ woken: 0 });
    expect(await scoped(orgId)("conversations").findOne({ _id: due._id })).toMatchObject({ status: "assigned", snoozedUntil: null });
    expect(await scoped(orgId)("conversations").findOne({ _id: later._id })).toMatchObject({ status: "snoozed" });
    expect(await scoped(other.orgId)("conversations").findOne({ _id: otherDue._id })).toMatchObject({ status: "open", snoozedUntil: null });
    for (const [o, c] of [[orgId, due], [other.orgId, otherDue]] as const) {
      expect((await thread(o, c)).map((m) => m.text)).toEqual(["The snooze ended; the conversation is open again"]);
    }
  });
});

describe("priority, tags, AI switch", () => {
  it("updates them with one system line each and one audit entry", async () => {
    const { orgId, users, conv } = await setup();
    const res = await call(patchConversation, users.agent, conv, "", "PATCH", { priority: "urgent", tags: ["VIP", "billing"], aiEnabled: false });
    expect(res.body.conversation).toMatchObject({ priority: "urgent", tags: ["vip", "billing"], ai: { enabled: false } });
    expect((await thread(orgId, conv)).map((m) => m.text)).toEqual([
      "agent user set the priority to urgent",
      "agent user added vip, billing tags",
      "agent user turned AI replies off for this conversation",
    ]);
    const audit = await scoped(orgId)("activity_logs").findOne({ entityId: conv._id });
    expect(audit).toMatchObject({ action: "conversation.updated", before: { priority: "normal", tags: [], aiEnabled: true }, after: { priority: "urgent", tags: ["vip", "billing"], aiEnabled: false } });
    // The same patch again changes nothing and writes nothing.
    await call(patchConversation, users.agent, conv, "", "PATCH", { priority: "urgent" });
    expect(await scoped(orgId)("activity_logs").countDocuments({ entityId: conv._id })).toBe(1);
  });
});

describe("internal notes", () => {
  it("stores a note with @mentions once per idempotency key and never sends it to WhatsApp", async () => {
    const { orgId, users, conv } = await setup();
    const before = sim.sim.sent().length;
    const k = key();
    const body = { idempotencyKey: k, text: "@second agent can you check the refund?", mentions: [users.agent2._id.toHexString()] };
    const first = await call(postNote, users.agent, conv, "/notes", "POST", body);
    const again = await call(postNote, users.agent, conv, "/notes", "POST", body);
    expect(first.status).toBe(201);
    expect(first.body.message).toMatchObject({ type: "note", sender: "agent", senderUserId: users.agent._id.toHexString(), payload: { mentions: [{ id: users.agent2._id.toHexString(), name: "second agent" }] } });
    expect(again.body.message.id).toBe(first.body.message.id);
    expect(await scoped(orgId)("messages").countDocuments({ type: "note", conversationId: conv._id })).toBe(1);
    expect(sim.sim.sent().length).toBe(before);
  });
});

describe("sending", () => {
  it("sends an agent reply once per idempotency key and it reaches the simulator", async () => {
    const { orgId, users, conv, waId } = await setup();
    const k = key();
    const body = { idempotencyKey: k, content: { type: "text", text: "Your parcel left the warehouse today." } };
    const [a, b] = await Promise.all([call(postMessage, users.agent, conv, "/messages", "POST", body), call(postMessage, users.agent, conv, "/messages", "POST", body)]);
    expect(a.status).toBe(201);
    expect(b.body.message.id).toBe(a.body.message.id);
    expect(a.body.message).toMatchObject({ clientKey: k, direction: "outbound", sender: "agent", type: "text", text: "Your parcel left the warehouse today.", senderUserId: users.agent._id.toHexString() });
    expect(sim.sim.sent(waId).filter((s) => s.text === "Your parcel left the warehouse today.").length).toBe(1);
    expect(await scoped(orgId)("messages").countDocuments({ key: `out:${k}` })).toBe(1);
    const page = await call(getMessages, users.agent, conv, "/messages", "GET");
    expect(page.body.messages.map((m: { text: string }) => m.text)).toContain("Your parcel left the warehouse today.");
  });

  it("marks read: resets unread and sends WhatsApp's read receipt for the last customer message", async () => {
    const { users, conv, orgId, waId } = await setup();
    const { wamid } = await sim.sim.customerSends(waId, { type: "text", text: "hello?" });
    await seedMessage(orgId, conv, { text: "hello?", waMessageId: wamid });
    const res = await call(postRead, users.agent, conv, "/read", "POST");
    expect(res.body.conversation.unreadCount).toBe(0);
    expect(sim.sim.thread(waId).find((t) => t.wamid === wamid)?.status).toBe("read");
    // Reading changes nothing anyone must account for: it is not audited (each open would flood the log).
    expect(await scoped(orgId)("activity_logs").countDocuments({ entityId: conv._id })).toBe(0);
  });

  it("retries a failed message", async () => {
    const { users, conv, orgId } = await setup();
    const failed = await seedMessage(orgId, conv, { direction: "outbound", text: "try again", status: "failed", waMessageId: null as unknown as string });
    await scoped(orgId)("messages").updateOne({ _id: failed._id }, { $set: { waMessageId: null, payload: { body: "try again", preview_url: false } } });
    const res = await call(postRetry, users.agent, conv, `/messages/${failed._id.toHexString()}/retry`, "POST", undefined, { messageId: failed._id.toHexString() });
    expect(res.status).toBe(200);
    expect(res.body.message.status).not.toBe("failed");
    expect(res.body.message.waMessageId).toMatch(/^wamid\./);
  });
});

describe("contact panel", () => {
  it("edits contact fields inline and carries a new name into the conversation list", async () => {
    const { orgId, users, conv } = await setup();
    const id = conv.contactId.toHexString();
    const res = await patchContact(
      await request(users.agent, `/api/contacts/${id}`, { method: "PATCH", body: { name: "María García", email: "Maria@Example.org", company: "", customFields: { plan: "pro" } } }),
      routeParams({ id }),
    );
    expect(res.status).toBe(200);
    expect((await res.json()).contact).toMatchObject({ name: "María García", email: "maria@example.org", company: null, customFields: { plan: "pro" } });
    expect(await scoped(orgId)("conversations").findOne({ _id: conv._id })).toMatchObject({ contact: { name: "María García" }, searchTokens: expect.arrayContaining(["maria"]) });
    const panel = await (await getContact(await request(users.agent, `/api/contacts/${id}`), routeParams({ id }))).json();
    expect(panel.conversations.map((c: { id: string }) => c.id)).toEqual([conv._id.toHexString()]);
    expect(panel).toMatchObject({ conversationCount: 1, leadScore: null, journey: null });
  });

  it("finds the conversation by any contact field an edit adds (company, email), not only by the name", async () => {
    const { users, conv } = await setup();
    const id = conv.contactId.toHexString();
    const search = async (q: string) => {
      const res = await listConversations(await request(users.agent, `/api/conversations?view=all&q=${encodeURIComponent(q)}`), routeParams({}));
      expect(res.status).toBe(200);
      return ((await res.json()).conversations as { id: string }[]).map((c) => c.id);
    };
    expect(await search("Zephyrine")).toEqual([]);
    const res = await patchContact(await request(users.agent, `/api/contacts/${id}`, { method: "PATCH", body: { company: "Zephyrine Logistics", email: "buyer@quillmoor.example" } }), routeParams({ id }));
    expect(res.status).toBe(200);
    expect(await search("Zephyrine")).toEqual([conv._id.toHexString()]);
    expect(await search("buyer@quillmoor.example")).toEqual([conv._id.toHexString()]);
  });

  it("lets an agent read and edit a contact only through a conversation the agent may open", async () => {
    // Its own organization: the last step widens the visibility setting.
    const { orgId, users } = await createOrg();
    const colleagues = await seedConversation(orgId, { assigneeId: users.agent2._id, name: "Ines Colleague" });
    const id = colleagues.contactId.toHexString();
    const get = async (user: User) => {
      const res = await getContact(await request(user, `/api/contacts/${id}`), routeParams({ id }));
      return { status: res.status, body: await res.json() };
    };
    const patch = async (user: User) => {
      const res = await patchContact(await request(user, `/api/contacts/${id}`, { method: "PATCH", body: { name: "Renamed" } }), routeParams({ id }));
      return { status: res.status, body: await res.json() };
    };
    const refused = { status: 403, body: { error: { code: "forbidden", message: "You do not have access to this contact" } } };

    expect(await get(users.agent)).toEqual(refused);
    expect(await patch(users.agent)).toEqual(refused);
    expect(await scoped(orgId)("contacts").findOne({ _id: colleagues.contactId })).toMatchObject({ name: "Ines Colleague" });
    expect(await scoped(orgId)("activity_logs").countDocuments({ entityId: colleagues.contactId })).toBe(0);
    expect((await get(users.agent2)).status).toBe(200);
    expect((await get(users.supervisor)).body.contact).toMatchObject({ id, name: "Ines Colleague" });

    // An unassigned (older) conversation of the same contact opens it to the agent, showing only that conversation.
    const { orgId: _org, ...rest } = colleagues;
    const older = { ...rest, _id: new ObjectId(), liveKey: `closed:${new ObjectId().toHexString()}`, status: "closed" as const, assigneeId: null };
    await scoped(orgId)("conversations").insertOne(older);
    const visible = await get(users.agent);
    expect(visible.status).toBe(200);
    expect(visible.body.conversations.map((c: { id: string }) => c.id)).toEqual([older._id.toHexString()]);
    await scoped(orgId)("conversations").deleteOne({ _id: older._id });

    // A contact without conversations is anyone's to see.
    const lone = await seedConversation(orgId, { assigneeId: users.agent2._id });
    await scoped(orgId)("conversations").deleteOne({ _id: lone._id });
    const loneId = lone.contactId.toHexString();
    expect((await getContact(await request(users.agent, `/api/contacts/${loneId}`), routeParams({ id: loneId }))).status).toBe(200);

    // The organization lets agents see every conversation: then every contact too.
    await scoped(orgId)("settings").updateOne({}, { $set: { agentsSeeAllConversations: true } });
    expect((await get(users.agent)).status).toBe(200);
    expect((await patch(users.agent)).body.contact).toMatchObject({ name: "Renamed" });
  });
});

describe("bad input is refused with a clear error and writes nothing", () => {
  const longText = "x".repeat(4097);
  const cases: { name: string; as: "agent" | "viewer" | "agent2"; handler: Handler; path: string; method: string; body?: unknown; closed?: boolean; status: number; error: { code: string; message: string } }[] = [
    { name: "empty message", as: "agent", handler: postMessage, path: "/messages", method: "POST", body: { idempotencyKey: "k-empty-1234", content: { type: "text", text: "   " } }, status: 422, error: { code: "unprocessable_entity", message: "The message is empty" } },
    { name: "over-long message", as: "agent", handler: postMessage, path: "/messages", method: "POST", body: { idempotencyKey: "k-long-12345", content: { type: "text", text: longText } }, status: 422, error: { code: "unprocessable_entity", message: "content.text: must be at most 4,096 characters" } },
    {
      name: "free-form text outside the 24-hour window",
      as: "agent",
      handler: postMessage,
      path: "/messages",
      method: "POST",
      closed: true,
      body: { idempotencyKey: "k-window-123", content: { type: "text", text: "hello again" } },
      status: 422,
      error: { code: "unprocessable_entity", message: "The 24-hour customer service window is closed (the customer has not written in the last 24 hours); send an approved template instead" },
    },
    { name: "missing idempotency key", as: "agent", handler: postMessage, path: "/messages", method: "POST", body: { content: { type: "text", text: "hi" } }, status: 422, error: { code: "unprocessable_entity", message: "idempotencyKey: Invalid input: expected string, received undefined" } },
    { name: "another agent's conversation", as: "agent2", handler: postMessage, path: "/messages", method: "POST", body: { idempotencyKey: "k-other-1234", content: { type: "text", text: "hi" } }, status: 403, error: { code: "forbidden", message: "You do not have access to this conversation" } },
    { name: "viewer sends", as: "viewer", handler: postMessage, path: "/messages", method: "POST", body: { idempotencyKey: "k-viewer-123", content: { type: "text", text: "hi" } }, status: 403, error: { code: "forbidden", message: "Your role does not allow this action" } },
    { name: "viewer adds a note", as: "viewer", handler: postNote, path: "/notes", method: "POST", body: { idempotencyKey: "k-viewer-456", text: "hi" }, status: 403, error: { code: "forbidden", message: "Your role does not allow this action" } },
    { name: "viewer assigns", as: "viewer", handler: putAssignee, path: "/assignee", method: "PUT", body: { assigneeId: "me" }, status: 403, error: { code: "forbidden", message: "Your role does not allow this action" } },
    { name: "viewer resolves", as: "viewer", handler: putStatus, path: "/status", method: "PUT", body: { status: "resolved" }, status: 403, error: { code: "forbidden", message: "Your role does not allow this action" } },
    { name: "viewer marks read", as: "viewer", handler: postRead, path: "/read", method: "POST", status: 403, error: { code: "forbidden", message: "Your role does not allow this action" } },
    { name: "viewer changes priority", as: "viewer", handler: patchConversation, path: "", method: "PATCH", body: { priority: "high" }, status: 403, error: { code: "forbidden", message: "Your role does not allow this action" } },
    { name: "empty note", as: "agent", handler: postNote, path: "/notes", method: "POST", body: { idempotencyKey: "k-note-12345", text: " " }, status: 422, error: { code: "unprocessable_entity", message: "text: The note is empty" } },
    { name: "snooze without a time", as: "agent", handler: putStatus, path: "/status", method: "PUT", body: { status: "snoozed" }, status: 422, error: { code: "unprocessable_entity", message: "snoozedUntil: snoozedUntil is required to snooze" } },
    { name: "snooze into the past", as: "agent", handler: putStatus, path: "/status", method: "PUT", body: { status: "snoozed", snoozedUntil: "2020-01-01T00:00:00Z" }, status: 422, error: { code: "unprocessable_entity", message: "snoozedUntil must be in the future" } },
    { name: "unknown status", as: "agent", handler: putStatus, path: "/status", method: "PUT", body: { status: "done" }, status: 422, error: { code: "unprocessable_entity", message: 'status: Invalid option: expected one of "open"|"waiting"|"resolved"|"closed"|"snoozed"' } },
    { name: "empty patch", as: "agent", handler: patchConversation, path: "", method: "PATCH", body: {}, status: 422, error: { code: "unprocessable_entity", message: "Nothing to update" } },
  ];
  it.each(cases)("$name", async ({ as, handler, path, method, body, closed, status, error }) => {
    const { orgId, users } = org;
    const conv = await seedConversation(orgId, {
      accountId: account._id,
      phone: `+1415556${String(1000 + ++phoneSeq)}`,
      assigneeId: as === "agent2" ? users.agent._id : null,
      lastCustomerMessageAt: closed ? new Date(Date.now() - 25 * 3600_000) : new Date(),
    });
    const res = await call(handler, users[as], conv, path, method, body);
    expect(res).toEqual({ status, body: { error } });
    expect(await scoped(orgId)("messages").countDocuments({ conversationId: conv._id, sender: { $ne: "system" } })).toBe(0);
    expect(await scoped(orgId)("activity_logs").countDocuments({ entityId: conv._id })).toBe(0);
    expect(await scoped(orgId)("activity_logs").countDocuments({ "after.conversationId": conv._id.toHexString() })).toBe(0);
  });
});
