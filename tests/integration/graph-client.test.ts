import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { rawCollection } from "@/lib/db/collections";
import { ApiError } from "@/lib/api/errors";
import { graphClient, MediaTooLargeError, type GraphClient } from "@/lib/whatsapp/graph-client";
import { GraphApiError } from "@/lib/whatsapp/graph-error";
import { createOrg } from "../support/factories";
import { insertSimAccount, SIM, startSimulatedWhatsApp, startSimulator, startWebhookCapture } from "../support/graph-sim";

let capture: Awaited<ReturnType<typeof startWebhookCapture>>;
let sim: Awaited<ReturnType<typeof startSimulator>>;
let account: Awaited<ReturnType<typeof insertSimAccount>>;
let client: GraphClient;
const customer = "14155550123";

beforeAll(async () => {
  ({ capture, sim } = await startSimulatedWhatsApp());
  const { orgId } = await createOrg();
  account = await insertSimAccount(orgId);
});

afterAll(async () => {
  await sim.stop();
  await capture.stop();
});

beforeEach(async () => {
  sim.sim.reset();
  sim.sim.configure({ statusDelayMs: 5 });
  capture.received.length = 0;
  capture.answerWith(200);
  sim.sim.accessToken = SIM.accessToken;
  await rawCollection("whatsapp_accounts").updateOne({ _id: account._id }, { $set: { tokenError: null, accessToken: null } });
  client = graphClient({ ...account, tokenError: null }, { retryBaseMs: 5 });
  await sim.sim.customerSends(customer, { type: "text", text: "hi", name: "Maria" });
});

describe("sending", () => {
  it("sends text with link preview and gets a wamid, then signed sent/delivered/read webhooks", async () => {
    const r = await client.sendText(`+${customer}`, "See https://example.com", { previewUrl: true });
    expect(r.wamid).toMatch(/^wamid\.[A-Za-z0-9+/=]+$/);
    expect(r.waId).toBe(customer);
    const sent = sim.sim.sent(customer);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.request).toMatchObject({ messaging_product: "whatsapp", recipient_type: "individual", to: `+${customer}`, type: "text", text: { body: "See https://example.com", preview_url: true } });
    await sim.sim.idle();
    expect(capture.statusesFor(r.wamid)).toEqual(["sent", "delivered", "read"]);
    expect(capture.received.every((w) => w.signatureValid)).toBe(true);
  });

  it("signs the escaped-unicode bytes, like Meta", async () => {
    await sim.sim.customerSends(customer, { type: "text", text: "äöå 😀" });
    const last = capture.received.at(-1)!;
    expect(last.raw).toContain("\\u00e4\\u00f6\\u00e5 \\ud83d\\ude00");
    expect(last.signatureValid).toBe(true);
  });

  it("sends a reply with context, a template, an interactive list and a reaction", async () => {
    const first = await client.sendText(customer, "first");
    await client.sendText(customer, "reply", { replyTo: first.wamid });
    await client.sendTemplate(customer, { name: "order_shipped", language: "en_US", components: [{ type: "body", parameters: [{ type: "text", text: "Maria" }, { type: "text", text: "#1042" }, { type: "text", text: "Friday" }] }] });
    await client.sendInteractive(customer, {
      type: "list",
      body: { text: "Pick a plan" },
      action: { button: "Plans", sections: [{ title: "Plans", rows: [{ id: "basic", title: "Basic" }, { id: "pro", title: "Pro", description: "$49/month" }] }] },
    });
    const reaction = await client.sendReaction(customer, first.wamid, "👍");
    const sent = sim.sim.sent(customer);
    expect(sent.map((s) => s.type)).toEqual(["text", "text", "template", "interactive", "reaction"]);
    expect(sent[1]!.request).toMatchObject({ context: { message_id: first.wamid } });
    expect(sent[2]!.text).toBe("Hi Maria, your order #1042 has shipped and should arrive by Friday.");
    expect(sent[2]!.request).toMatchObject({ template: { name: "order_shipped", language: { code: "en_US" } } });
    expect(sent[3]!.buttons.map((b) => b.id)).toEqual(["basic", "pro"]);
    await sim.sim.idle();
    expect(capture.statusesFor(reaction.wamid)).toEqual(["sent"]);
  });

  it("sends a template outside the 24-hour window, but not free text", async () => {
    const stranger = "447700900123";
    await expect(client.sendTemplate(stranger, { name: "hello_world", language: "en_US" })).resolves.toMatchObject({ wamid: expect.stringMatching(/^wamid\./) });
    await expect(client.sendText(stranger, "hello")).rejects.toMatchObject({ code: 131047, kind: "window_closed" });
  });

  it("addresses a business-scoped user id with `recipient`", async () => {
    sim.sim.configure({ enforceWindow: false });
    await client.sendText("US.13491208655302741918", "hi");
    expect(sim.sim.sent("US.13491208655302741918")[0]!.request).toMatchObject({ recipient: "US.13491208655302741918" });
  });

  it("marks a message read with a typing indicator", async () => {
    const inbound = sim.sim.thread(customer)[0]!;
    await client.markAsRead(inbound.wamid, { typing: true });
    expect(sim.sim.thread(customer)[0]!.status).toBe("read");
  });

  it("reports a chosen failure as a failed status webhook with Meta's error", async () => {
    sim.sim.fail({ statusFailures: [131026] });
    const r = await client.sendText(customer, "will fail");
    await sim.sim.idle();
    expect(capture.statusesFor(r.wamid)).toEqual(["failed"]);
    const status = JSON.stringify(capture.received.at(-1)!.body);
    expect(status).toContain('"code":131026');
  });

  it("posts duplicated and reordered statuses when asked", async () => {
    sim.sim.configure({ duplicateStatuses: true, reorderStatuses: true });
    const r = await client.sendText(customer, "chaos");
    await sim.sim.idle();
    expect(capture.statusesFor(r.wamid)).toEqual(["read", "read", "delivered", "delivered", "sent", "sent"]);
  });
});

describe("errors", () => {
  const cases: { name: string; arrange: () => void | Promise<void>; act: () => Promise<unknown>; expected: Partial<GraphApiError> }[] = [
    { name: "window closed", arrange: () => {}, act: () => client.sendText("447700900999", "hi"), expected: { code: 131047, kind: "window_closed", details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number." } },
    { name: "throughput limit that persists", arrange: () => void sim.sim.fail({ sendErrors: [130429, 130429, 130429] }), act: () => client.sendText(customer, "x"), expected: { code: 130429, kind: "rate_limited", title: "Rate limit hit" } },
    { name: "pair rate limit", arrange: () => void sim.sim.configure({ pairLimitPer6s: 0 }), act: () => client.sendText(customer, "x"), expected: { code: 131056, kind: "rate_limited" } },
    { name: "undeliverable", arrange: () => void sim.sim.fail({ sendErrors: [131026] }), act: () => client.sendText(customer, "x"), expected: { code: 131026, kind: "other", message: "(#131026) Receiver is incapable of receiving this message" } },
    { name: "unknown template", arrange: () => {}, act: () => client.sendTemplate(customer, { name: "nope", language: "en_US" }), expected: { code: 132001, kind: "other" } },
    { name: "rejected template", arrange: () => {}, act: () => client.sendTemplate(customer, { name: "flash_sale_blast", language: "en_US", components: [{ type: "body", parameters: [{ type: "text", text: "x" }] }] }), expected: { code: 132001 } },
    { name: "parameter count mismatch", arrange: () => {}, act: () => client.sendTemplate(customer, { name: "order_shipped", language: "en_US" }), expected: { code: 132000 } },
    { name: "unknown media id", arrange: () => {}, act: () => client.sendMedia(customer, "image", { id: "999" }), expected: { code: 131053 } },
    { name: "unknown media metadata", arrange: () => {}, act: () => client.getMedia("424242"), expected: { code: 100, httpStatus: 400 } },
  ];
  it.each(cases)("$name", async ({ arrange, act, expected }) => {
    await arrange();
    const err = await act().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(GraphApiError);
    expect(err).toMatchObject(expected);
    expect((err as GraphApiError).fbtraceId).toMatch(/^[\w-]{10,}$/);
  });

  it("retries a rate limit with backoff and succeeds", async () => {
    sim.sim.fail({ sendErrors: [130429, 131056] });
    const r = await client.sendText(customer, "eventually");
    expect(r.wamid).toMatch(/^wamid\./);
    expect(sim.sim.sent(customer)).toHaveLength(1);
  });

  it("enforces the number's throughput with 130429", async () => {
    sim.sim.configure({ throughputMps: 3 });
    const strict = graphClient({ ...account, tokenError: null }, { attempts: 1 });
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => strict.sendText(customer, `burst ${i}`)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    expect(results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason.code)).toEqual([130429, 130429]);
  });

  it("records an expired token on the account, and clears it once a call succeeds", async () => {
    sim.sim.accessToken = "rotated";
    await expect(client.sendText(customer, "x")).rejects.toMatchObject({ code: 190, kind: "token_expired", httpStatus: 401 });
    const stored = await rawCollection("whatsapp_accounts").findOne({ _id: account._id });
    expect(stored!.tokenError).toMatchObject({ code: 190, message: expect.stringContaining("(#190)") });
    sim.sim.accessToken = SIM.accessToken;
    await client.sendText(customer, "ok again");
    expect((await rawCollection("whatsapp_accounts").findOne({ _id: account._id }))!.tokenError).toBeNull();
  });

  it("prefers the account's own token over the env default", async () => {
    sim.sim.accessToken = "account-token";
    await expect(graphClient({ ...account, accessToken: "account-token" }).sendText(customer, "x")).resolves.toMatchObject({ waId: customer });
    await expect(graphClient({ ...account, accessToken: null }, { attempts: 1 }).sendText(customer, "x")).rejects.toMatchObject({ kind: "token_expired" });
  });

  it("reports an unreachable API as a network error", async () => {
    const old = process.env.WHATSAPP_GRAPH_API_URL;
    process.env.WHATSAPP_GRAPH_API_URL = "http://127.0.0.1:9";
    const { resetEnvCache } = await import("@/lib/env");
    resetEnvCache();
    try {
      await expect(graphClient(account).sendText(customer, "x")).rejects.toMatchObject({ kind: "network" });
    } finally {
      process.env.WHATSAPP_GRAPH_API_URL = old;
      resetEnvCache();
    }
  });
});

describe("interactive limits", () => {
  const button = (id: string, title = id) => ({ type: "reply", reply: { id, title } });
  const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `r${i}`, title: `Row ${i}` }));
  const cases: { name: string; interactive: Record<string, unknown>; message: string }[] = [
    { name: "4 buttons", interactive: { type: "button", body: { text: "b" }, action: { buttons: [button("a"), button("b"), button("c"), button("d")] } }, message: "Interactive message: action.buttons: at most 3 buttons" },
    { name: "no buttons", interactive: { type: "button", body: { text: "b" }, action: { buttons: [] } }, message: "Interactive message: action.buttons: add at least 1 button" },
    { name: "long button title", interactive: { type: "button", body: { text: "b" }, action: { buttons: [button("a", "x".repeat(21))] } }, message: "Interactive message: action.buttons.0.reply.title: button title is at most 20 characters" },
    { name: "duplicate button ids", interactive: { type: "button", body: { text: "b" }, action: { buttons: [button("a"), button("a")] } }, message: "Interactive message: action.buttons: button ids must be unique" },
    { name: "body over 1024", interactive: { type: "button", body: { text: "x".repeat(1025) }, action: { buttons: [button("a")] } }, message: "Interactive message: body.text: body is at most 1024 characters" },
    { name: "11 rows", interactive: { type: "list", body: { text: "b" }, action: { button: "Pick", sections: [{ title: "A", rows: rows(6) }, { title: "B", rows: rows(5).map((r) => ({ ...r, id: `b${r.id}` })) }] } }, message: "Interactive message: action.sections: at most 10 rows in total across all sections" },
    { name: "long list button", interactive: { type: "list", body: { text: "b" }, action: { button: "x".repeat(21), sections: [{ rows: rows(1) }] } }, message: "Interactive message: action.button: list button text is at most 20 characters" },
    { name: "long row title", interactive: { type: "list", body: { text: "b" }, action: { button: "Pick", sections: [{ rows: [{ id: "a", title: "x".repeat(25) }] }] } }, message: "Interactive message: action.sections.0.rows.0.title: row title is at most 24 characters" },
    { name: "untitled sections", interactive: { type: "list", body: { text: "b" }, action: { button: "Pick", sections: [{ rows: rows(1) }, { rows: [{ id: "z", title: "Z" }] }] } }, message: "Interactive message: action.sections: every section needs a title when there are several" },
  ];
  it.each(cases)("refuses $name before calling Meta", async ({ interactive, message }) => {
    const err = await client.sendInteractive(customer, interactive).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect({ code: (err as ApiError).code, message: (err as ApiError).message }).toEqual({ code: "unprocessable_entity", message });
    expect(sim.sim.sent(customer)).toHaveLength(0);
  });
});

describe("media", () => {
  const png = () => Buffer.from(sim.sim.mediaBytes(sim.sim.thread(customer).find((t) => t.type === "image")!.mediaUrl!.split("/").pop()!)!.bytes);

  it("uploads, sends by id and by link, and downloads with the token", async () => {
    await sim.sim.customerSends(customer, { type: "image", caption: "box" });
    const bytes = png();
    const id = await client.uploadMedia({ bytes, mimeType: "image/png", filename: "box.png" });
    expect(id).toMatch(/^\d{15,}$/);
    await client.sendMedia(customer, "image", { id, caption: "your box" });
    await client.sendMedia(customer, "document", { link: "https://example.com/invoice.pdf", filename: "invoice.pdf" });
    expect(sim.sim.sent(customer).map((s) => s.request)).toMatchObject([{ image: { id, caption: "your box" } }, { document: { link: "https://example.com/invoice.pdf", filename: "invoice.pdf" } }]);
    const info = await client.getMedia(id);
    expect(info).toMatchObject({ id, mimeType: "image/png", fileSize: bytes.length });
    const anonymous = await fetch(info.url);
    expect(anonymous.status).toBe(401);
    const down = await client.downloadMedia(id, { maxBytes: 1_000_000 });
    expect(down.mimeType).toBe("image/png");
    expect(down.bytes.equals(bytes)).toBe(true);
  });

  it("fetches a fresh URL when the old one expired", async () => {
    const id = await client.uploadMedia({ bytes: Buffer.from("%PDF-1.4 test"), mimeType: "application/pdf", filename: "a.pdf" });
    sim.sim.configure({ mediaUrlTtlMs: 0 });
    await expect(client.downloadMedia(id, { maxBytes: 1000 })).rejects.toMatchObject({ httpStatus: 404 });
    sim.sim.configure({ mediaUrlTtlMs: 60_000 });
    const stale = await client.getMedia(id);
    sim.sim.expireMediaUrls();
    expect((await fetch(stale.url, { headers: { authorization: `Bearer ${SIM.accessToken}` } })).status).toBe(404);
    await expect(client.downloadMedia(id, { maxBytes: 1000 })).resolves.toMatchObject({ mimeType: "application/pdf" });
  });

  it("refuses files over the cap, and Meta refuses unsupported types", async () => {
    const id = await client.uploadMedia({ bytes: Buffer.alloc(2048, 1), mimeType: "application/pdf", filename: "big.pdf" });
    await expect(client.downloadMedia(id, { maxBytes: 1024 })).rejects.toBeInstanceOf(MediaTooLargeError);
    await expect(client.uploadMedia({ bytes: Buffer.from("x"), mimeType: "application/x-msdownload", filename: "a.exe" })).rejects.toMatchObject({ code: 131053 });
  });
});

describe("templates", () => {
  it("lists every template across pages, and creates one that Meta approves later", async () => {
    sim.sim.configure({ templateReviewMs: 10 });
    const before = await client.listTemplates();
    expect(before.map((t) => `${t.name}:${t.status}`)).toEqual(["hello_world:APPROVED", "order_shipped:APPROVED", "welcome_offer:APPROVED", "appointment_reminder:APPROVED", "flash_sale_blast:REJECTED"]);
    for (let i = 0; i < 100; i++) {
      await client.createTemplate({ name: `bulk_${i}`, language: "en_US", category: "UTILITY", components: [{ type: "BODY", text: `Bulk ${i}` }] });
    }
    const created = await client.createTemplate({ name: "spring_promo", language: "es", category: "MARKETING", parameter_format: "positional", components: [{ type: "BODY", text: "Hola {{1}}" }] });
    expect(created).toMatchObject({ id: expect.stringMatching(/^\d+$/), status: "PENDING", category: "MARKETING" });
    await expect(client.createTemplate({ name: "Bad Name", language: "en_US", category: "UTILITY", components: [{ type: "BODY", text: "x" }] })).rejects.toMatchObject({ code: 100 });
    const all = await client.listTemplates();
    expect(all).toHaveLength(106);
    await sim.sim.idle();
    const approval = capture.received.find((w) => JSON.stringify(w.body).includes("spring_promo"))!;
    expect(approval.body).toMatchObject({ object: "whatsapp_business_account", entry: [{ id: SIM.wabaId, changes: [{ field: "message_template_status_update", value: { event: "APPROVED", message_template_name: "spring_promo" } }] }] });
  });
});
