import fc from "fast-check";
import { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { scoped } from "@/lib/db/scoped";
import type { DeliveryStatus, MessageDoc } from "@/lib/schemas/message";
import { applyOrphanStatuses } from "@/lib/webhook/statuses";
import { deliver, envelope, fixture, orgWithAccount, type TestAccount } from "../support/whatsapp-webhook";

const at = (s: number) => new Date(s * 1000);

/** An outbound message as the send service leaves it after Meta accepted it. */
async function sentMessage(account: TestAccount, wamid: string, opts: { status?: DeliveryStatus; conversationId?: ObjectId } = {}) {
  const now = new Date();
  const doc: Omit<MessageDoc, "orgId"> = {
    _id: new ObjectId(), conversationId: opts.conversationId ?? new ObjectId(), contactId: new ObjectId(), accountId: account._id, key: `out:${wamid}`,
    waMessageId: wamid, direction: "outbound", sender: "agent", senderUserId: null, type: "text", text: "Hello", payload: null, media: null,
    replyTo: null, reactions: [], edited: null, revokedAt: null, forwarded: "no", status: opts.status ?? "pending",
    statusHistory: [{ status: "pending", at: now }], error: null, pricing: null, waConversation: null, sentAt: now, searchTokens: [], createdAt: now, updatedAt: now,
  };
  await scoped(account.orgId)("messages").insertOne(doc);
  return doc;
}

const statusOf = (name: string) => (fixture(name) as { entry: { changes: { value: { statuses: { id: string }[] } }[] }[] }).entry[0]!.changes[0]!.value.statuses[0]!;

describe("status webhooks (Meta's documented payloads)", () => {
  const cases: { fixture: string; expected: Record<string, unknown> }[] = [
    { fixture: "status_sent_service_cbp", expected: { status: "sent", pricing: { billable: true, pricing_model: "CBP", category: "service" }, waConversation: { id: "7270432eae37498234f4444b35ffc5", expiration_timestamp: "1698339900", origin: { type: "service" } } } },
    { fixture: "status_sent_marketing_pmp", expected: { status: "sent", pricing: { billable: true, pricing_model: "PMP", type: "regular", category: "marketing" } } },
    { fixture: "status_sent_v24_no_conversation_no_pricing", expected: { status: "sent", pricing: null, waConversation: null } },
    { fixture: "status_sent_with_biz_opaque_callback_data", expected: { status: "sent" } },
    { fixture: "status_delivered_service_cbp", expected: { status: "delivered", waConversation: { id: "6ceb9d929c9bdc4f90e967a32f8639b4", origin: { type: "service" } } } },
    { fixture: "status_delivered_bsuid_with_phone", expected: { status: "delivered" } },
    { fixture: "status_delivered_bsuid_no_phone", expected: { status: "delivered" } },
    { fixture: "status_read_service_cbp", expected: { status: "read" } },
    { fixture: "status_played_voice", expected: { status: "played" } },
    {
      fixture: "status_failed_130472",
      expected: { status: "failed", error: { code: 130472, title: "User's number is part of an experiment", message: "User's number is part of an experiment", details: "Failed to send message because this user's phone number is part of an experiment" } },
    },
    { fixture: "status_failed_131026", expected: { status: "failed", error: { code: 131026, title: "Receiver is incapable of receiving this message", message: "Receiver is incapable of receiving this message", details: "Message Undeliverable." } } },
    { fixture: "status_failed_131049", expected: { status: "failed", error: expect.objectContaining({ code: 131049 }) } },
  ];

  it.each(cases)("$fixture is applied once to the outbound message", async (c) => {
    const { account } = await orgWithAccount();
    const s = statusOf(c.fixture) as { id: string; status: DeliveryStatus; timestamp: string };
    const message = await sentMessage(account, s.id);
    await deliver(c.fixture, account);
    await deliver(c.fixture, account);
    const stored = await scoped(account.orgId)("messages").findOne({ _id: message._id });
    expect(stored).toMatchObject(c.expected);
    expect(stored!.statusHistory.map((h) => h.status)).toEqual(["pending", s.status]);
    expect(stored!.statusHistory[1]!.at).toEqual(at(Number(s.timestamp)));
  });
});

describe("status ordering", () => {
  const ladder: DeliveryStatus[] = ["sent", "delivered", "read", "played", "failed"];
  const statusBody = (account: TestAccount, wamid: string, status: DeliveryStatus, t: number) =>
    envelope(account, {
      statuses: [{
        id: wamid, status, timestamp: String(t), recipient_id: "16505551234",
        ...(status === "failed" ? { errors: [{ code: 131026, title: "Receiver is incapable of receiving this message", message: "Receiver is incapable of receiving this message", error_data: { details: "Message Undeliverable." } }] } : {}),
      }],
    });

  it("is monotonic in every delivery order, with duplicates: highest status wins, failed is terminal, each status recorded once", async () => {
    const { account } = await orgWithAccount();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(ladder, { minLength: 1 }).chain((set) => fc.shuffledSubarray([...set, ...set], { minLength: set.length, maxLength: set.length * 2 }).map((order) => ({ set, order }))),
        async ({ order }) => {
          const wamid = `wamid.PROP${run++}`;
          const message = await sentMessage(account, wamid);
          const distinct = new Set(order);
          for (const [i, s] of order.entries()) await deliver(statusBody(account, wamid, s, 1750000000 + i), account);
          const stored = (await scoped(account.orgId)("messages").findOne({ _id: message._id }))!;
          const expected = distinct.has("failed") ? "failed" : [...distinct].sort((a, b) => ladder.indexOf(b) - ladder.indexOf(a))[0];
          expect(stored.status).toBe(expected);
          expect(stored.statusHistory.map((h) => h.status).sort()).toEqual(["pending", ...distinct].sort());
          if (distinct.has("failed")) expect(stored.error?.code).toBe(131026);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("never lets a late delivered overwrite read, and moves the conversation preview's ticks", async () => {
    const { account, orgId } = await orgWithAccount();
    const conversationId = new ObjectId();
    const message = await sentMessage(account, "wamid.TICKS", { conversationId });
    const now = new Date();
    await scoped(orgId)("conversations").insertOne({
      _id: conversationId, accountId: account._id, contactId: message.contactId, liveKey: "x", status: "open", priority: "normal", assigneeId: null, tags: [],
      contact: { name: null, phone: null, identityKey: "+1" }, lastMessage: { preview: "Hello", type: "text", sender: "agent", status: "pending", at: message.sentAt },
      lastActivityAt: now, lastCustomerMessageAt: null, unreadCount: 0, firstResponseAt: null, snoozedUntil: null, resolvedAt: null,
      ai: { enabled: true, confidence: null, handoverReason: null, consecutiveReplies: 0 }, source: null, searchTokens: [], createdAt: now, updatedAt: now,
    });
    await deliver(statusBody(account, "wamid.TICKS", "read", 1750000010), account);
    await deliver(statusBody(account, "wamid.TICKS", "delivered", 1750000005), account);
    const stored = (await scoped(orgId)("messages").findOne({ _id: message._id }))!;
    expect(stored.status).toBe("read");
    expect(stored.statusHistory.map((h) => [h.status, h.at])).toEqual([["pending", message.statusHistory[0]!.at], ["read", at(1750000010)], ["delivered", at(1750000005)]]);
    expect((await scoped(orgId)("conversations").findOne({ _id: conversationId }))?.lastMessage?.status).toBe("read");
  });

  it("applies statuses delivered at the same time, out of order and twice, each once and ending at the highest", async () => {
    const { account, orgId } = await orgWithAccount();
    const conversationId = new ObjectId();
    const messages = await Promise.all(Array.from({ length: 5 }, (_, i) => sentMessage(account, `wamid.RACE${i}`, { conversationId })));
    const bodies = messages.flatMap((m, i) => (["sent", "delivered", "read"] as const).map((s, k) => statusBody(account, m.waMessageId!, s, 1750000000 + i * 10 + k)));
    await Promise.all([...bodies.reverse(), ...bodies].map((b) => deliver(b, account)));
    for (const m of messages) {
      const stored = (await scoped(orgId)("messages").findOne({ _id: m._id }))!;
      expect(stored.status).toBe("read");
      expect(stored.statusHistory.map((h) => h.status).sort()).toEqual(["delivered", "pending", "read", "sent"]);
    }
  });

  it("keeps statuses for a message not stored yet and applies them when the send stores its wamid", async () => {
    const { account, orgId } = await orgWithAccount();
    const db = scoped(orgId);
    await deliver(statusBody(account, "wamid.EARLY", "delivered", 1750000001), account);
    await deliver(statusBody(account, "wamid.EARLY", "sent", 1750000000), account);
    await deliver(statusBody(account, "wamid.EARLY", "sent", 1750000000), account);
    expect((await db("orphan_statuses").find({ waMessageId: "wamid.EARLY" }).toArray()).map((o) => o.key).sort()).toEqual(["wamid.EARLY:delivered", "wamid.EARLY:sent"]);
    const message = await sentMessage(account, "wamid.EARLY");
    await applyOrphanStatuses(orgId, "wamid.EARLY");
    const stored = (await db("messages").findOne({ _id: message._id }))!;
    expect(stored.status).toBe("delivered");
    expect(stored.statusHistory.map((h) => h.status)).toEqual(["pending", "sent", "delivered"]);
    expect(await db("orphan_statuses").countDocuments({ waMessageId: "wamid.EARLY" })).toBe(0);
    await applyOrphanStatuses(orgId, "wamid.EARLY");
    expect((await db("messages").findOne({ _id: message._id }))!.statusHistory).toHaveLength(3);
  });

  it("applies a batch of statuses and messages in one delivery", async () => {
    const { account, orgId } = await orgWithAccount();
    const a = await sentMessage(account, "wamid.BATCH_A");
    const b = await sentMessage(account, "wamid.BATCH_B");
    await deliver(envelope(account, {
      contacts: [{ profile: { name: "Zed" }, wa_id: "16505550099" }],
      messages: [{ from: "16505550099", id: "wamid.BATCH_IN", timestamp: "1750000003", type: "text", text: { body: "thanks" } }],
      statuses: [
        { id: "wamid.BATCH_A", status: "read", timestamp: "1750000002", recipient_id: "16505550099" },
        { id: "wamid.BATCH_B", status: "delivered", timestamp: "1750000001", recipient_id: "16505550099" },
        { id: "wamid.BATCH_A", status: "delivered", timestamp: "1750000001", recipient_id: "16505550099" },
      ],
    }), account);
    const db = scoped(orgId);
    expect((await db("messages").findOne({ _id: a._id }))?.status).toBe("read");
    expect((await db("messages").findOne({ _id: a._id }))?.statusHistory).toHaveLength(3);
    expect((await db("messages").findOne({ _id: b._id }))?.status).toBe("delivered");
    expect(await db("messages").countDocuments({ waMessageId: "wamid.BATCH_IN" })).toBe(1);
  });
});
