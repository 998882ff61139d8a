import { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { POST as replay } from "@/app/api/webhook-events/[id]/replay/route";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { listWebhookEvents } from "@/lib/webhook/events-admin";
import { request, routeParams } from "../support/factories";
import { envelope, orgWithAccount, postWebhook, textMessage } from "../support/whatsapp-webhook";

const eventFor = async (raw: string) => rawCollection("webhook_events").findOne({ rawBody: raw });
const replayAs = async (user: Parameters<typeof request>[0], id: string) => replay(await request(user, `/api/webhook-events/${id}/replay`, { method: "POST" }), routeParams({ id }));

describe("webhook events admin", () => {
  it("replays an envelope for a number registered after it arrived, idempotently", async () => {
    const { users, orgId, account } = await orgWithAccount();
    const late = { ...account, phoneNumberId: `9${account.phoneNumberId}` };
    const body = envelope(late, textMessage("16505550300", "wamid.REPLAY1", "anyone there?"));
    expect((await postWebhook(body)).status).toBe(200);
    const event = (await eventFor(JSON.stringify(body)))!;
    expect(event).toMatchObject({ outcome: "unprocessed", orgId: null, attempts: 1 });

    const now = new Date();
    await rawCollection("whatsapp_accounts").insertOne({
      _id: new ObjectId(), orgId, phoneNumberId: late.phoneNumberId, wabaId: account.wabaId, displayPhoneNumber: "15550000000", verifiedName: null, accessToken: null,
      qualityRating: null, messagingLimit: null, throughputMps: 80, status: "connected", events: [], tokenError: null, createdAt: now, updatedAt: now,
    });
    const res = await replayAs(users.admin, event._id.toHexString());
    expect(res.status).toBe(200);
    expect((await res.json()).event).toMatchObject({ id: event._id.toHexString(), outcome: "processed", reason: null, attempts: 2, mapped: true, counts: { messages: 1, statuses: 0, other: 0 } });
    expect((await replayAs(users.admin, event._id.toHexString())).status).toBe(200);
    const db = scoped(orgId);
    expect(await db("messages").countDocuments({ waMessageId: "wamid.REPLAY1" })).toBe(1);
    expect((await db("conversations").findOne({}))?.unreadCount).toBe(1);
    expect((await eventFor(JSON.stringify(body)))?.attempts).toBe(3);
    expect(await db("activity_logs").findOne({ action: "webhook_event.replayed" })).toMatchObject({
      entityType: "webhook_event", entityId: event._id, before: { outcome: "unprocessed" }, after: { outcome: "processed", reason: null },
    });
  });

  it("keeps invalid JSON invalid on replay and refuses non-admins and other organizations", async () => {
    const a = await orgWithAccount();
    const b = await orgWithAccount();
    const raw = "{not json";
    await postWebhook(raw);
    const invalid = (await eventFor(raw))!;
    const res = await replayAs(a.users.admin, invalid._id.toHexString());
    expect((await res.json()).event).toMatchObject({ outcome: "invalid_json", rawBody: raw, attempts: 2 });

    const body = envelope(b.account, textMessage("16505550301", "wamid.OTHERORG", "hi"));
    await postWebhook(body);
    const theirs = (await eventFor(JSON.stringify(body)))!;
    const cases = [
      { user: a.users.agent, id: theirs._id.toHexString(), status: 403, error: { code: "forbidden", message: "Your role does not allow this action" } },
      { user: a.users.admin, id: theirs._id.toHexString(), status: 404, error: { code: "not_found", message: "Webhook event not found" } },
      { user: a.users.admin, id: "nope", status: 422, error: { code: "unprocessable_entity", message: "id: must be a 24-character hex id" } },
    ];
    for (const c of cases) {
      const r = await replayAs(c.user, c.id);
      expect(r.status).toBe(c.status);
      expect(await r.json()).toEqual({ error: c.error });
    }
  });

  it("lists an organization's envelopes and unmapped ones, newest first, by cursor and outcome", async () => {
    const { orgId, account } = await orgWithAccount();
    for (let i = 0; i < 3; i++) await postWebhook(envelope(account, textMessage("16505550302", `wamid.LIST${i}`, `m${i}`)));
    const page1 = await listWebhookEvents(orgId, { limit: 2 });
    expect(page1.events.map((e) => JSON.parse(e.rawBody).entry[0].changes[0].value.messages[0].id)).toEqual(["wamid.LIST2", "wamid.LIST1"]);
    const page2 = await listWebhookEvents(orgId, { limit: 2, cursor: page1.nextCursor! });
    expect(page2.events[0]?.rawBody).toContain("wamid.LIST0");
    const unprocessed = await listWebhookEvents(orgId, { limit: 100, outcome: "unprocessed" });
    expect(unprocessed.events.every((e) => e.outcome === "unprocessed")).toBe(true);
  });
});
