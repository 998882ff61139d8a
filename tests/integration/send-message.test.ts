import { ObjectId } from "mongodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import { retryMessage, sendMessage, type OutboundContent } from "@/lib/messaging/send-message";
import { saveMedia } from "@/lib/whatsapp/media-store";
import { createConversation, createInboundMessage } from "../support/conversation-fixtures";
import { createOrg } from "../support/factories";
import { insertSimAccount, startSimulatedWhatsApp, startSimulator, startWebhookCapture } from "../support/graph-sim";

let capture: Awaited<ReturnType<typeof startWebhookCapture>>;
let sim: Awaited<ReturnType<typeof startSimulator>>;
let org: Awaited<ReturnType<typeof createOrg>>;
let account: Awaited<ReturnType<typeof insertSimAccount>>;
let keyN = 0;
const key = () => `test-${Date.now()}-${keyN++}`;

beforeAll(async () => {
  ({ capture, sim } = await startSimulatedWhatsApp());
  org = await createOrg();
  account = await insertSimAccount(org.orgId);
});

afterAll(async () => {
  await sim.stop();
  await capture.stop();
});

beforeEach(() => {
  sim.sim.configure({ statusDelayMs: 5, enforceWindow: true });
});

/** A conversation whose customer wrote just now, at the app and at the simulated Meta. */
async function openConversation(opts: Parameters<typeof createConversation>[2] = {}) {
  const c = await createConversation(org.orgId, account._id, opts);
  sim.sim.setLastInbound(c.contact.waId!, opts.lastCustomerMessageAt === undefined ? new Date() : opts.lastCustomerMessageAt);
  return c;
}

const db = () => scoped(org.orgId);

describe("sendMessage", () => {
  it("stores the message pending, sends it, records the wamid and updates the conversation", async () => {
    const { conversation, contact } = await openConversation();
    const before = new Date();
    const m = await sendMessage(org.orgId, { conversationId: conversation._id, sender: "agent", senderUserId: org.users.agent._id, idempotencyKey: key(), content: { type: "text", text: " Hello Maria " } });
    expect(m).toMatchObject({ direction: "outbound", sender: "agent", type: "text", text: "Hello Maria", waMessageId: expect.stringMatching(/^wamid\./), error: null, contactId: contact._id });
    expect(m.statusHistory[0]!.status).toBe("pending");
    expect(sim.sim.sent(contact.waId!)).toHaveLength(1);
    expect(sim.sim.sent(contact.waId!)[0]!.request).toMatchObject({ to: contact.phone, text: { body: "Hello Maria", preview_url: false } });
    const conv = (await db()("conversations").findOne({ _id: conversation._id }))!;
    expect(conv.lastMessage).toMatchObject({ preview: "Hello Maria", type: "text", sender: "agent" });
    expect(conv.firstResponseAt).toEqual(m.sentAt);
    expect(conv.updatedAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
  });

  it("returns the existing message for a repeated idempotency key, also concurrently", async () => {
    const { conversation, contact } = await openConversation();
    const idempotencyKey = key();
    const input = { conversationId: conversation._id, sender: "ai" as const, idempotencyKey, content: { type: "text" as const, text: "once" } };
    const results = await Promise.all([sendMessage(org.orgId, input), sendMessage(org.orgId, input), sendMessage(org.orgId, input)]);
    expect(new Set(results.map((r) => r._id.toHexString())).size).toBe(1);
    const again = await sendMessage(org.orgId, input);
    expect(again._id).toEqual(results[0]!._id);
    expect(await db()("messages").countDocuments({ key: `out:${idempotencyKey}` })).toBe(1);
    expect(sim.sim.sent(contact.waId!)).toHaveLength(1);
  });

  it("sends templates outside the window, with the filled-in body as preview", async () => {
    const { conversation, contact } = await openConversation({ lastCustomerMessageAt: new Date(Date.now() - 25 * 3600_000) });
    const { syncTemplates } = await import("@/lib/whatsapp/templates");
    await syncTemplates(org.orgId, account._id);
    const m = await sendMessage(org.orgId, {
      conversationId: conversation._id, sender: "agent", idempotencyKey: key(),
      content: { type: "template", template: { name: "order_shipped", language: "en_US", components: [{ type: "body", parameters: [{ type: "text", text: "Maria" }, { type: "text", text: "#7" }, { type: "text", text: "Monday" }] }] } },
    });
    expect(m).toMatchObject({ type: "template", text: "Hi Maria, your order #7 has shipped and should arrive by Monday.", error: null, waMessageId: expect.stringMatching(/^wamid\./) });
    expect(sim.sim.sent(contact.waId!)[0]!.text).toBe(m.text);
  });

  it("uploads outbound media to Meta first and sends it by id", async () => {
    const { conversation, contact } = await openConversation();
    const png = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082", "hex");
    const fileId = await saveMedia({ bytes: png, filename: "dot.png", meta: { orgId: org.orgId, mimeType: "image/png", source: "upload", messageId: null, uploadedBy: org.users.agent._id } });
    const m = await sendMessage(org.orgId, { conversationId: conversation._id, sender: "agent", idempotencyKey: key(), content: { type: "image", fileId: fileId.toHexString(), caption: "your receipt" } });
    expect(m.media).toMatchObject({ waMediaId: expect.stringMatching(/^\d+$/), fileId, mimeType: "image/png", caption: "your receipt", download: "not_needed" });
    expect(sim.sim.sent(contact.waId!)[0]!.request).toMatchObject({ type: "image", image: { id: m.media!.waMediaId, caption: "your receipt" } });
    expect(sim.sim.mediaBytes(m.media!.waMediaId!)!.bytes.equals(png)).toBe(true);
  });

  it("replies with context and reacts to a customer's message", async () => {
    const { conversation, contact } = await openConversation();
    const inbound = await createInboundMessage(org.orgId, conversation, { text: "Where is my order?" });
    await sendMessage(org.orgId, { conversationId: conversation._id, sender: "agent", idempotencyKey: key(), replyToMessageId: inbound._id, content: { type: "text", text: "On its way" } });
    const reaction = await sendMessage(org.orgId, { conversationId: conversation._id, sender: "agent", idempotencyKey: key(), content: { type: "reaction", targetMessageId: inbound._id.toHexString(), emoji: "👍" } });
    expect(reaction).toMatchObject({ type: "reaction", payload: { message_id: inbound.waMessageId, emoji: "👍" } });
    expect(sim.sim.sent(contact.waId!).map((s) => s.request)).toMatchObject([{ context: { message_id: inbound.waMessageId } }, { reaction: { message_id: inbound.waMessageId, emoji: "👍" } }]);
    expect((await db()("messages").findOne({ _id: inbound._id }))!.reactions).toMatchObject([{ emoji: "👍", by: "business" }]);
    expect((await db()("conversations").findOne({ _id: conversation._id }))!.lastMessage!.preview).toBe("On its way");
  });

  it("records Meta's refusal as a failed message instead of throwing, and retries it", async () => {
    const { conversation, contact } = await openConversation();
    sim.sim.fail({ sendErrors: [131026] });
    const failed = await sendMessage(org.orgId, { conversationId: conversation._id, sender: "agent", idempotencyKey: key(), content: { type: "text", text: "try me" } });
    expect(failed).toMatchObject({
      status: "failed",
      waMessageId: null,
      error: { code: 131026, title: "Receiver is incapable of receiving this message", message: "(#131026) Receiver is incapable of receiving this message", details: "Message Undeliverable." },
    });
    expect(failed.statusHistory.map((h) => h.status)).toEqual(["pending", "failed"]);
    expect((await db()("conversations").findOne({ _id: conversation._id }))!.lastMessage!.status).toBe("failed");

    // Two clicks at once: one retry is sent, the other is told.
    const both = await Promise.allSettled([retryMessage(org.orgId, failed._id), retryMessage(org.orgId, failed._id)]);
    // Either click may win the claim; exactly one does.
    const retried = both.find((r) => r.status === "fulfilled");
    const second = both.find((r) => r.status === "rejected");
    expect(retried).toMatchObject({ status: "fulfilled", value: { _id: failed._id, status: "pending", error: null, waMessageId: expect.stringMatching(/^wamid\./) } });
    expect(second).toMatchObject({ status: "rejected", reason: { code: "conflict", message: "Only a failed message can be retried" } });
    expect(sim.sim.sent(contact.waId!)).toHaveLength(1);
    await expect(retryMessage(org.orgId, failed._id)).rejects.toMatchObject({ code: "conflict", message: "Only a failed message can be retried" });
  });

  it("reports the window Meta enforces (131047) when the app thought it open", async () => {
    const { conversation } = await openConversation();
    sim.sim.setLastInbound(conversation.contact.phone!.slice(1), null);
    const m = await sendMessage(org.orgId, { conversationId: conversation._id, sender: "ai", idempotencyKey: key(), content: { type: "text", text: "hello?" } });
    expect(m).toMatchObject({ status: "failed", error: { code: 131047, title: "Re-engagement message" } });
  });

  it("sends to an opted-out contact only with bypassConsent (the opt-out confirmation)", async () => {
    const { conversation, contact } = await openConversation({ consent: "opted_out" });
    const m = await sendMessage(org.orgId, { conversationId: conversation._id, sender: "system", idempotencyKey: key(), bypassConsent: true, content: { type: "text", text: "You will no longer receive messages. Reply START to opt in." } });
    expect(m).toMatchObject({ sender: "system", waMessageId: expect.stringMatching(/^wamid\./) });
    expect(sim.sim.sent(contact.waId!)).toHaveLength(1);
    expect((await db()("conversations").findOne({ _id: conversation._id }))!.firstResponseAt).toBeNull();
  });

  describe("refuses before storing or sending", () => {
    const button = (id: string) => ({ type: "reply", reply: { id, title: id } });
    const cases: { name: string; conv?: Parameters<typeof createConversation>[2]; content: () => Promise<OutboundContent> | OutboundContent; message: string; code?: string }[] = [
      { name: "free text outside the 24-hour window", conv: { lastCustomerMessageAt: new Date(Date.now() - 24 * 3600_000 - 1000) }, content: () => ({ type: "text", text: "hi" }), message: "The 24-hour customer service window is closed (the customer has not written in the last 24 hours); send an approved template instead" },
      { name: "free text when the customer never wrote", conv: { lastCustomerMessageAt: null }, content: () => ({ type: "text", text: "hi" }), message: "The 24-hour customer service window is closed (the customer has not written in the last 24 hours); send an approved template instead" },
      { name: "an opted-out contact", conv: { consent: "opted_out" }, content: () => ({ type: "text", text: "hi" }), message: "This contact has opted out of WhatsApp messages; they must opt in again before you can write" },
      { name: "an empty text", content: () => ({ type: "text", text: "   " }), message: "The message is empty" },
      { name: "a text over 4096 characters", content: () => ({ type: "text", text: "x".repeat(4097) }), message: "A WhatsApp text message is at most 4096 characters (this one has 4097)" },
      { name: "4 reply buttons", content: () => ({ type: "interactive", interactive: { type: "button", body: { text: "Pick" }, action: { buttons: ["a", "b", "c", "d"].map(button) } } }), message: "Interactive message: action.buttons: at most 3 buttons" },
      { name: "a rejected template", content: () => ({ type: "template", template: { name: "flash_sale_blast", language: "en_US" } }), message: 'The template "flash_sale_blast" (en_US) is rejected, not approved' },
      { name: "a file that does not exist", content: () => ({ type: "image", fileId: new ObjectId().toHexString() }), message: "The attached file was not found; upload it again" },
      {
        name: "a PDF sent as an image",
        content: async () => ({ type: "image", fileId: (await saveMedia({ bytes: Buffer.from("%PDF"), filename: "a.pdf", meta: { orgId: org.orgId, mimeType: "application/pdf", source: "upload", messageId: null, uploadedBy: null } })).toHexString() }),
        message: "A image must be JPEG or PNG up to 5 MB (got application/pdf)",
      },
      {
        name: "another organization's file",
        content: async () => ({ type: "image", fileId: (await saveMedia({ bytes: Buffer.from("x"), filename: "a.png", meta: { orgId: new ObjectId(), mimeType: "image/png", source: "upload", messageId: null, uploadedBy: null } })).toHexString() }),
        message: "The attached file was not found; upload it again",
      },
      { name: "a reaction to an unknown message", content: () => ({ type: "reaction", targetMessageId: new ObjectId().toHexString(), emoji: "👍" }), message: "The message to react to was not found or has no WhatsApp id" },
    ];
    it.each(cases)("$name", async ({ conv, content, message, code }) => {
      const { syncTemplates } = await import("@/lib/whatsapp/templates");
      await syncTemplates(org.orgId, account._id);
      const { conversation, contact } = await openConversation(conv);
      const idempotencyKey = key();
      const err = await sendMessage(org.orgId, { conversationId: conversation._id, sender: "agent", idempotencyKey, content: await content() }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect({ code: (err as ApiError).code, message: (err as ApiError).message }).toEqual({ code: code ?? "unprocessable_entity", message });
      expect(await db()("messages").countDocuments({ key: `out:${idempotencyKey}` })).toBe(0);
      expect(sim.sim.sent(contact.waId!)).toHaveLength(0);
    });

    it("an unknown conversation", async () => {
      await expect(sendMessage(org.orgId, { conversationId: new ObjectId(), sender: "agent", idempotencyKey: key(), content: { type: "text", text: "hi" } })).rejects.toMatchObject({ code: "not_found", message: "Conversation not found" });
    });
  });
});
