import { describe, expect, it } from "vitest";
import { GET } from "@/app/api/webhooks/whatsapp/route";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { resetEnvCache } from "@/lib/env";
import { closeClient } from "@/lib/db/client";
import { signWhatsAppBody } from "@/lib/webhook/signature";
import { request } from "../support/factories";
import { APP_SECRET, VERIFY_TOKEN, envelope, fixture, forAccount, orgWithAccount, postWebhook, textMessage } from "../support/whatsapp-webhook";

const events = async () => rawCollection("webhook_events").find({}, { sort: { receivedAt: 1 } }).toArray();

describe("GET /api/webhooks/whatsapp (verification handshake)", () => {
  it("echoes hub.challenge as text/plain when the verify token matches", async () => {
    const res = await GET(await request(null, `/api/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${VERIFY_TOKEN}`));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe("1158201444");
  });

  it.each([
    ["a wrong token", `hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong`],
    ["a missing token", `hub.mode=subscribe&hub.challenge=1`],
    ["another mode", `hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=${VERIFY_TOKEN}`],
  ])("refuses %s with 403", async (_name, query) => {
    const res = await GET(await request(null, `/api/webhooks/whatsapp?${query}`));
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: { code: "forbidden", message: "Webhook verification failed: wrong hub.mode or hub.verify_token" } });
  });
});

describe("POST /api/webhooks/whatsapp: bad input", () => {
  it("answers 401 and stores nothing for a missing or wrong signature", async () => {
    const { account } = await orgWithAccount();
    const body = JSON.stringify(forAccount(fixture("inbound_text"), account));
    const before = (await events()).length;
    const cases = [
      { signature: null, message: "Missing X-Hub-Signature-256 header" },
      { signature: "sha256=" + "0".repeat(64), message: "Invalid X-Hub-Signature-256 signature" },
      { signature: signWhatsAppBody(body, "another-secret"), message: "Invalid X-Hub-Signature-256 signature" },
      { signature: signWhatsAppBody(body + " ", APP_SECRET), message: "Invalid X-Hub-Signature-256 signature" },
      { signature: "sha1=" + "a".repeat(40), message: "Invalid X-Hub-Signature-256 signature" },
    ];
    for (const c of cases) {
      const res = await postWebhook(body, { signature: c.signature });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: "unauthorized", message: c.message } });
    }
    expect((await events()).length).toBe(before);
    expect(await scoped(account.orgId)("messages").countDocuments()).toBe(0);
    expect(await scoped(account.orgId)("contacts").countDocuments()).toBe(0);
  });

  it("accepts an upper-case hex signature (Meta signs lowercase; the comparison ignores case)", async () => {
    const { account } = await orgWithAccount();
    const body = JSON.stringify(forAccount(fixture("inbound_text"), account));
    const res = await postWebhook(body, { signature: signWhatsAppBody(body, APP_SECRET).toUpperCase().replace("SHA256=", "sha256=") });
    expect(res.status).toBe(200);
  });

  it("answers 400 to malformed JSON with a valid signature and keeps the raw bytes", async () => {
    const raw = '{"object":"whatsapp_business_account","entry":[{"id":"1",';
    const res = await postWebhook(raw);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: "bad_request", message: "The request body is not valid JSON" } });
    const stored = (await events()).find((e) => e.rawBody === raw);
    expect(stored).toMatchObject({ outcome: "invalid_json", orgId: null, reason: "The request body is not valid JSON", rawBody: raw });
  });

  it("answers 200 to an unknown phone number id and stores the envelope as unprocessed with the reason", async () => {
    const body = forAccount(fixture("inbound_text"), { phoneNumberId: "999000111", wabaId: "888" });
    const res = await postWebhook(body);
    expect(res.status).toBe(200);
    const stored = (await events()).find((e) => e.rawBody === JSON.stringify(body));
    expect(stored).toMatchObject({ outcome: "unprocessed", orgId: null, reason: "messages: unknown phone_number_id 999000111 (no WhatsApp account is registered for it)" });
  });

  it("answers 413 to a body over WHATSAPP_WEBHOOK_MAX_BYTES, declared or streamed, and stores nothing", async () => {
    process.env.WHATSAPP_WEBHOOK_MAX_BYTES = "1024";
    resetEnvCache();
    try {
      const before = (await events()).length;
      const big = JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: "1", changes: [] }], pad: "x".repeat(2000) });
      const res = await postWebhook(big);
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({ error: { code: "payload_too_large", message: "The request body is larger than 1024 bytes" } });
      const lying = await postWebhook(big, { headers: { "content-length": "10" } });
      expect(lying.status).toBe(413);
      expect((await events()).length).toBe(before);
    } finally {
      delete process.env.WHATSAPP_WEBHOOK_MAX_BYTES;
      resetEnvCache();
    }
  });

  it("fails closed without an app secret (503, Meta keeps the delivery), and DEV_SKIP_SIGNATURES is the only bypass", async () => {
    const { account } = await orgWithAccount();
    const body = forAccount(fixture("inbound_text"), account);
    delete process.env.WHATSAPP_APP_SECRET;
    resetEnvCache();
    try {
      const res = await postWebhook(body, { signature: null });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: { code: "service_unavailable", message: "WHATSAPP_APP_SECRET is not configured; webhooks cannot be verified" } });
      process.env.DEV_SKIP_SIGNATURES = "true";
      resetEnvCache();
      expect((await postWebhook(body, { signature: null })).status).toBe(200);
    } finally {
      process.env.WHATSAPP_APP_SECRET = APP_SECRET;
      delete process.env.DEV_SKIP_SIGNATURES;
      resetEnvCache();
    }
  });

  it("stores an envelope it cannot understand as unprocessed with the reason and answers 200", async () => {
    const { account } = await orgWithAccount();
    const cases: { body: Record<string, unknown>; reason: string }[] = [
      { body: { hello: "world" }, reason: "envelope: object: Invalid input: expected string, received undefined" },
      { body: { object: "page", entry: [{ id: "1", changes: [] }] }, reason: 'object "page" is not whatsapp_business_account' },
      { body: forAccount(fixture("group_settings_update"), account), reason: 'field "group_settings_update" is not handled' },
      { body: forAccount(fixture("smb_message_echoes_text"), account), reason: 'field "smb_message_echoes" is not handled' },
      {
        body: envelope(account, { messages: [{ id: "wamid.NOFROM", timestamp: "1750000000", type: "text", text: { body: "hi" } }] }),
        reason: "messages[0] (wamid.NOFROM): value: message has neither from nor from_user_id",
      },
    ];
    for (const c of cases) {
      const res = await postWebhook(c.body);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ received: true, outcome: "unprocessed" });
      const stored = (await events()).find((e) => e.rawBody === JSON.stringify(c.body));
      expect(stored?.outcome).toBe("unprocessed");
      expect(stored?.reason).toBe(c.reason);
    }
  });

  it("answers 503 with Retry-After when the database cannot be reached, so Meta retries", async () => {
    const { account } = await orgWithAccount();
    const uri = process.env.MONGODB_URI;
    await closeClient();
    process.env.MONGODB_URI = "mongodb://127.0.0.1:9/";
    resetEnvCache();
    try {
      const res = await postWebhook(envelope(account, textMessage("16505550100", "wamid.DBDOWN", "hello")));
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(await res.json()).toEqual({ error: { code: "service_unavailable", message: "The database is not reachable right now. Please try again in a moment." } });
    } finally {
      await closeClient();
      process.env.MONGODB_URI = uri;
      resetEnvCache();
    }
    const retry = await postWebhook(envelope(account, textMessage("16505550100", "wamid.DBDOWN", "hello")));
    expect(retry.status).toBe(200);
    expect(await scoped(account.orgId)("messages").countDocuments({ waMessageId: "wamid.DBDOWN" })).toBe(1);
  });
});

describe("POST /api/webhooks/whatsapp: idempotency", () => {
  it("stores one message and one unread increment when the same envelope arrives 5 times at once", async () => {
    const { account, orgId } = await orgWithAccount();
    const body = envelope(account, textMessage("16505550111", "wamid.CONCURRENT1", "Is my order shipped?"));
    // The five race on creating the contact, the conversation and the message: every one is answered 200.
    const statuses = await Promise.all(Array.from({ length: 5 }, async () => (await postWebhook(body)).status));
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const db = scoped(orgId);
    expect(await db("messages").countDocuments({ waMessageId: "wamid.CONCURRENT1" })).toBe(1);
    expect(await db("contacts").countDocuments({})).toBe(1);
    const conversations = await db("conversations").find({}).toArray();
    expect(conversations).toHaveLength(1);
    expect(conversations[0]).toMatchObject({ unreadCount: 1, status: "open", lastMessage: { preview: "Is my order shipped?", sender: "customer" } });
  });
});
