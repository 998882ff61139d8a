import { ObjectId } from "mongodb";
import { afterEach, describe, expect, it, vi } from "vitest";
import { POST as replay } from "@/app/api/webhook-events/[id]/replay/route";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { log } from "@/lib/log";
import { countWebhookEvents, listWebhookEvents, webhookOutcomes } from "@/lib/webhook/events-admin";
import { request, routeParams } from "../support/factories";
import { envelope, orgWithAccount, postWebhook, textMessage } from "../support/whatsapp-webhook";

// A bug in ingestion, switched on per test: the messages handler throws on envelopes whose text asks for it.
const bug = vi.hoisted(() => ({ on: false }));
vi.mock("@/lib/webhook/handle-messages", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/webhook/handle-messages")>();
  return {
    ...actual,
    handleMessagesChange: (value: Record<string, unknown>) => {
      if (bug.on && JSON.stringify(value).includes("trigger the bug")) throw new TypeError("Cannot read properties of undefined (reading 'body')");
      return actual.handleMessagesChange(value);
    },
  };
});
afterEach(() => {
  bug.on = false;
  vi.restoreAllMocks();
});

const eventFor = async (raw: string) => rawCollection("webhook_events").findOne({ rawBody: raw });
const replayAs = async (user: Parameters<typeof request>[0], id: string) => replay(await request(user, `/api/webhook-events/${id}/replay`, { method: "POST" }), routeParams({ id }));
const notFound = { error: { code: "not_found", message: "Webhook event not found" } };
const zero = Object.fromEntries(webhookOutcomes.map((o) => [o, 0]));
const allEvents = async (orgId: ObjectId) => (await Promise.all(webhookOutcomes.map((outcome) => listWebhookEvents(orgId, { limit: 100, outcome })))).flatMap((p) => p.events);

/** An organization with one envelope of each outcome its number can produce: processed, unprocessed and failed (a bug). */
async function orgWithEvents(phone: string) {
  const org = await orgWithAccount();
  const bodies = {
    processed: envelope(org.account, textMessage(phone, `wamid.OK${phone}`, "hello")),
    unprocessed: envelope(org.account, { messages: [{ id: `wamid.NOFROM${phone}`, timestamp: "1750000000", type: "text", text: { body: "who am I?" } }] }),
    failed: envelope(org.account, textMessage(phone, `wamid.BUG${phone}`, "please trigger the bug")),
  };
  bug.on = true;
  for (const [outcome, body] of Object.entries(bodies)) {
    const res = await postWebhook(body);
    expect(await res.json()).toEqual({ received: true, outcome });
  }
  bug.on = false;
  const events = await Promise.all(Object.values(bodies).map(async (b) => (await eventFor(JSON.stringify(b)))!));
  return { ...org, events };
}

describe("webhook events admin: tenancy", () => {
  it("stores every envelope under the organization of its number before processing, failed ones included", async () => {
    const a = await orgWithEvents("16505550400");
    expect(a.events.map((e) => [e.outcome, e.orgId])).toEqual([["processed", a.orgId], ["unprocessed", a.orgId], ["failed", a.orgId]]);
    expect(a.events[2]!.reason).toBe("TypeError: Cannot read properties of undefined (reading 'body')");
    expect((await allEvents(a.orgId)).map((e) => e.id).sort()).toEqual(a.events.map((e) => e._id.toHexString()).sort());
    expect(await countWebhookEvents(a.orgId)).toEqual({ ...zero, processed: 1, unprocessed: 1, failed: 1 });
  });

  it("shows one organization's envelopes, raw bodies included, to no other organization's admin", async () => {
    const a = await orgWithEvents("16505550401");
    const b = await orgWithAccount();
    expect((await postWebhook(envelope(b.account, textMessage("16505550402", "wamid.BONLY", "b's own")))).status).toBe(200);

    const seenByB = await allEvents(b.orgId);
    expect(seenByB.map((e) => e.outcome)).toEqual(["processed"]);
    expect(seenByB[0]!.rawBody).toContain("wamid.BONLY");
    expect((await listWebhookEvents(b.orgId, { limit: 100 })).events.map((e) => e.id)).toEqual([seenByB[0]!.id]);
    expect(await countWebhookEvents(b.orgId)).toEqual({ ...zero, processed: 1 });
    for (const event of a.events) {
      const res = await replayAs(b.users.admin, event._id.toHexString());
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual(notFound);
    }
    // Nothing of A's was touched by B's attempts.
    expect((await rawCollection("webhook_events").find({ orgId: a.orgId }).toArray()).map((e) => e.attempts)).toEqual([1, 1, 1]);
  });

  it("shows envelopes no organization owns (unknown number, invalid JSON) to nobody and logs them", async () => {
    const a = await orgWithAccount();
    const warn = vi.spyOn(log, "warn");
    const unknown = envelope({ ...a.account, phoneNumberId: `9${a.account.phoneNumberId}` }, textMessage("16505550403", "wamid.LOST", "anyone there?"));
    expect((await postWebhook(unknown)).status).toBe(200);
    const invalid = "{not json";
    expect((await postWebhook(invalid)).status).toBe(400);

    const stored = [(await eventFor(JSON.stringify(unknown)))!, (await eventFor(invalid))!];
    expect(stored.map((e) => [e.outcome, e.orgId])).toEqual([["unprocessed", null], ["invalid_json", null]]);
    expect(warn).toHaveBeenCalledWith("webhook.envelope_unmapped", expect.objectContaining({
      eventId: stored[0]!._id.toHexString(),
      reason: `messages: unknown phone_number_id 9${a.account.phoneNumberId} (no WhatsApp account is registered for it)`,
    }));
    expect(warn).toHaveBeenCalledWith("webhook.invalid_json", expect.objectContaining({ eventId: stored[1]!._id.toHexString(), reason: "The request body is not valid JSON" }));
    expect(await allEvents(a.orgId)).toEqual([]);
    expect(await countWebhookEvents(a.orgId)).toEqual(zero);
    for (const event of stored) expect((await replayAs(a.users.admin, event._id.toHexString())).status).toBe(404);
  });

  it("refuses replay to non-admins and to ids that are not ids", async () => {
    const a = await orgWithEvents("16505550404");
    const cases = [
      { user: a.users.agent, id: a.events[0]!._id.toHexString(), status: 403, error: { code: "forbidden", message: "Your role does not allow this action" } },
      { user: a.users.admin, id: new ObjectId().toHexString(), status: 404, error: notFound.error },
      { user: a.users.admin, id: "nope", status: 422, error: { code: "unprocessable_entity", message: "id: must be a 24-character hex id" } },
    ];
    for (const c of cases) {
      const r = await replayAs(c.user, c.id);
      expect(r.status).toBe(c.status);
      expect(await r.json()).toEqual({ error: c.error });
    }
  });
});

describe("webhook events admin: replay and listing", () => {
  it("replays a failed envelope once the bug is fixed, idempotently", async () => {
    const { users, orgId, events } = await orgWithEvents("16505550405");
    const failed = events[2]!;
    const res = await replayAs(users.admin, failed._id.toHexString());
    expect(res.status).toBe(200);
    expect((await res.json()).event).toMatchObject({ id: failed._id.toHexString(), outcome: "processed", reason: null, attempts: 2, counts: { messages: 1, statuses: 0, other: 0 } });
    expect((await replayAs(users.admin, failed._id.toHexString())).status).toBe(200);
    const db = scoped(orgId);
    expect(await db("messages").countDocuments({ waMessageId: "wamid.BUG16505550405" })).toBe(1);
    expect((await db("conversations").findOne({}))?.unreadCount).toBe(2);
    expect(await rawCollection("webhook_events").findOne({ _id: failed._id })).toMatchObject({ orgId, attempts: 3, outcome: "processed" });
    expect(await db("activity_logs").findOne({ action: "webhook_event.replayed" })).toMatchObject({
      entityType: "webhook_event", entityId: failed._id, before: { outcome: "failed" }, after: { outcome: "processed", reason: null },
    });
  });

  it("lists an organization's envelopes newest first, by cursor and outcome", async () => {
    const { orgId, account } = await orgWithAccount();
    for (let i = 0; i < 3; i++) await postWebhook(envelope(account, textMessage("16505550302", `wamid.LIST${i}`, `m${i}`)));
    const page1 = await listWebhookEvents(orgId, { limit: 2 });
    expect(page1.events.map((e) => JSON.parse(e.rawBody).entry[0].changes[0].value.messages[0].id)).toEqual(["wamid.LIST2", "wamid.LIST1"]);
    const page2 = await listWebhookEvents(orgId, { limit: 2, cursor: page1.nextCursor! });
    expect(page2.events.map((e) => JSON.parse(e.rawBody).entry[0].changes[0].value.messages[0].id)).toEqual(["wamid.LIST0"]);
    expect(page2.nextCursor).toBeNull();
    expect((await listWebhookEvents(orgId, { limit: 100, outcome: "unprocessed" })).events).toEqual([]);
  });
});
