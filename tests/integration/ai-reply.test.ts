import type { ObjectId } from "mongodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { scheduleAiReply } from "@/lib/ai/ai-reply-job";
import { createArticle } from "@/lib/ai/knowledge";
import { runConversationAgent } from "@/lib/ai/conversation-agent";
import { loadAgent } from "@/lib/ai/agents";
import { getAiProvider } from "@/lib/ai/provider";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { defaultSettings } from "@/lib/schemas/settings";
import { addSystemMessage } from "@/lib/inbox/system-message";
import { saveMedia } from "@/lib/whatsapp/media-store";
import { resetJobDriver } from "@/lib/jobs/enqueue";
import { jobRegistry } from "@/lib/jobs/registry";
import { runJob } from "@/lib/jobs/run-job";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import type { FakeGemini, FakeGeminiReply } from "../fakes/gemini-server";
import { createConversation, createInboundMessage } from "../support/conversation-fixtures";
import { createOrg } from "../support/factories";
import { useFakeGemini } from "../support/fake-gemini-env";
import { insertSimAccount, startSimulatedWhatsApp, startSimulator, startWebhookCapture } from "../support/graph-sim";

let gemini: FakeGemini;
let capture: Awaited<ReturnType<typeof startWebhookCapture>>;
let sim: Awaited<ReturnType<typeof startSimulator>>;
let orgId: ObjectId;
let accountId: ObjectId;

beforeAll(async () => {
  ({ capture, sim } = await startSimulatedWhatsApp());
  gemini = await useFakeGemini();
  resetJobDriver();
  ({ orgId } = await createOrg());
  accountId = (await insertSimAccount(orgId))._id;
  await createArticle(orgId, { title: "Shipping to Canada", body: "We ship to Canada in 3-5 business days. Shipping is free over $50.", active: true });
});
afterAll(async () => {
  await gemini.stop();
  await sim.stop();
  await capture.stop();
});
beforeEach(async () => {
  gemini.reset();
  sim.sim.reset();
  sim.sim.configure({ statusDelayMs: 5 });
  await scoped(orgId)("settings").updateOne({}, { $set: { aiEnabled: true } });
  await scoped(orgId)("ai_agents").deleteMany({});
});

let seq = 0;
/** A conversation with AI on and the customer's messages, known to the simulator (window open there too). */
async function world(texts: string[], opts: { consent?: ContactDoc["consent"]["state"]; lastCustomerMessageAt?: Date; ai?: Partial<ConversationDoc["ai"]>; status?: ConversationDoc["status"] } = {}) {
  const phone = `+1415777${String(1000 + seq++).padStart(4, "0")}`;
  const { contact, conversation } = await createConversation(orgId, accountId, { phone, consent: opts.consent ?? "opted_in", lastCustomerMessageAt: opts.lastCustomerMessageAt });
  await scoped(orgId)("conversations").updateOne(
    { _id: conversation._id },
    { $set: { "ai.enabled": true, ...Object.fromEntries(Object.entries(opts.ai ?? {}).map(([k, v]) => [`ai.${k}`, v])), ...(opts.status ? { status: opts.status } : {}) } },
  );
  sim.sim.setLastInbound(phone.slice(1), opts.lastCustomerMessageAt ?? new Date());
  const messages = [];
  for (const text of texts) messages.push(await createInboundMessage(orgId, conversation, { text }));
  return { contact, conversation, latest: messages.at(-1)!, waId: phone.slice(1) };
}

let delivery = 0;
async function runReply(w: Awaited<ReturnType<typeof world>>, messageId = `test-delivery-${delivery++}`) {
  return runJob(jobRegistry, "ai-reply", { orgId: orgId.toHexString(), conversationId: w.conversation._id.toHexString(), messageId: w.latest._id.toHexString() }, { messageId, attempt: 1 });
}

const reply = (text: string, confidence = 0.9, sentiment = 0.2): FakeGeminiReply => ({ functionCalls: [{ name: "reply", args: { text, confidence, sentiment } }] });

async function state(w: Awaited<ReturnType<typeof world>>) {
  const db = scoped(orgId);
  const conversation = (await db("conversations").findOne({ _id: w.conversation._id }))!;
  const messages = await db("messages").find({ conversationId: w.conversation._id, direction: "outbound" }, { sort: { sentAt: 1 } }).toArray();
  const runs = await db("ai_runs").find({ conversationId: w.conversation._id }, { sort: { _id: 1 } }).toArray();
  const notice = (m: (typeof messages)[number]) => m.key.startsWith("out:handover:");
  return {
    conversation,
    ai: messages.filter((m) => m.sender === "ai" && !notice(m)),
    handoverNotices: messages.filter(notice),
    system: messages.filter((m) => m.type === "system" && m.payload?.event === "ai_handover"),
    runs,
    delivered: sim.sim.sent(w.waId),
  };
}

describe("ai-reply: the conversation agent answers through the real Gemini SDK", () => {
  it("answers from the knowledge base, sends through sendMessage as AI, and logs the run with the articles used", async () => {
    const w = await world(["Hi", "Do you ship to Canada?"]);
    gemini.push(reply("Yes! We ship to Canada in 3-5 business days.", 0.93));
    expect(await runReply(w)).toEqual({ status: "completed" });

    const s = await state(w);
    expect(s.ai).toHaveLength(1);
    expect(s.ai[0]).toMatchObject({ sender: "ai", type: "text", text: "Yes! We ship to Canada in 3-5 business days.", key: `out:ai:${w.latest.waMessageId}` });
    expect(s.ai[0]!.waMessageId).toMatch(/^wamid\./);
    expect(s.delivered.map((d) => d.request)).toMatchObject([{ type: "text", text: { body: "Yes! We ship to Canada in 3-5 business days." } }]);
    expect(s.conversation).toMatchObject({ status: "ai_handled", ai: { enabled: true, confidence: 0.93, handoverReason: null, consecutiveReplies: 1 } });
    expect(s.runs).toHaveLength(1);
    expect(s.runs[0]).toMatchObject({ agentType: "conversation", provider: "gemini", model: "gemini-2.5-flash", outcome: "replied", turn: 1, error: null });
    expect(s.runs[0]!.promptTokens).toBeGreaterThan(0);
    expect(s.runs[0]!.costUsd).toBeGreaterThan(0);
    expect(s.runs[0]!.knowledgeArticleIds).toHaveLength(1);

    const sent = gemini.requests[0]!.body;
    expect(sent.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect(sent.tools![0]!.functionDeclarations!.map((f) => f.name)).toEqual(["reply", "ask_clarifying_question", "add_tags", "update_contact", "set_priority", "create_ticket", "handover_to_human"]);
    const prompt = sent.contents[0]!.parts[0]!.text as string;
    expect(prompt).toContain("[KB:1] Shipping to Canada");
    expect(prompt).toContain("Customer: Hi\nCustomer: Do you ship to Canada?");
    expect(prompt).toContain("## Business hours");
  });

  it("executes the tools the model calls, replays the signed model turn, then replies", async () => {
    const w = await world(["I'm Ana from Globex, ana@globex.example. Our payment failed twice!"]);
    gemini.push(
      {
        functionCalls: [
          { name: "update_contact", args: { name: "Ana", email: "ana@globex.example", company: "Globex" } },
          { name: "add_tags", args: { tags: ["Billing", "payment"] } },
          { name: "set_priority", args: { priority: "urgent" } },
        ],
      },
      reply("Sorry about that, Ana. Let me help you with the payment.", 0.8, -0.3),
    );
    expect(await runReply(w)).toEqual({ status: "completed" });
    const s = await state(w);
    const contact = await scoped(orgId)("contacts").findOne({ _id: w.contact._id });
    expect(contact).toMatchObject({ name: "Ana", email: "ana@globex.example", company: "Globex", tags: ["billing", "payment"] });
    expect(contact!.searchTokens).toContain("globex");
    expect(s.conversation).toMatchObject({ priority: "urgent", tags: ["billing", "payment"], contact: { name: "Ana" }, status: "ai_handled" });
    expect(s.ai.map((m) => m.text)).toEqual(["Sorry about that, Ana. Let me help you with the payment."]);
    expect(s.runs.map((r) => [r.turn, r.outcome, r.toolCalls.map((c) => c.name)])).toEqual([
      [1, "acted", ["update_contact", "add_tags", "set_priority"]],
      [2, "replied", ["reply"]],
    ]);
    // The second request carried the model's turn with its thought signature (the fake rejects it otherwise) and the tool results.
    const second = gemini.requests[1]!.body.contents;
    expect(second[1]!.parts[0]!.thoughtSignature).toEqual(expect.any(String));
    expect(second[2]!.parts.map((p) => (p.functionResponse as { name: string }).name)).toEqual(["update_contact", "add_tags", "set_priority"]);
    const audit = await scoped(orgId)("activity_logs").findOne({ entityId: w.contact._id, action: "contact.updated" });
    expect(audit).toMatchObject({ actorName: "AI agent", after: { name: "Ana", email: "ana@globex.example", company: "Globex" } });
  });

  it("shows the model the photos of the customer's latest messages, and describes those not downloaded yet", async () => {
    const w = await world(["My order arrived like this"]);
    const jpeg = Buffer.from("ffd8ffe000104a46494600010100000100010000ffd9", "hex");
    const fileId = await saveMedia({ bytes: jpeg, filename: "broken.jpg", meta: { orgId, mimeType: "image/jpeg", source: "inbound", messageId: null, uploadedBy: null } });
    await createInboundMessage(orgId, w.conversation, { media: { mimeType: "image/jpeg", size: jpeg.length, fileId, download: "done", caption: "the box" } });
    const latest = await createInboundMessage(orgId, w.conversation, { media: { mimeType: "image/jpeg", size: 50_000, download: "pending", caption: "and the lid" } });
    gemini.push(reply("I'm sorry it arrived damaged! We'll send a replacement.", 0.9));
    expect(await runReply({ ...w, latest })).toEqual({ status: "completed" });

    const parts = gemini.requests[0]!.body.contents[0]!.parts;
    expect(parts[0]!.text).toContain("Customer: [image: the box]\nCustomer: [image: and the lid]");
    expect(parts.slice(1)).toEqual([{ inlineData: { mimeType: "image/jpeg", data: jpeg.toString("base64") } }]);
    expect((await state(w)).ai[0]).toMatchObject({ text: "I'm sorry it arrived damaged! We'll send a replacement." });
  });

  it("waits out a 429 with its RetryInfo delay, then answers", async () => {
    const w = await world(["Do you ship to Canada?"]);
    gemini.push({ error: 429, retryDelay: "0.3s" }, reply("Yes, 3-5 business days."));
    expect(await runReply(w)).toEqual({ status: "completed" });
    expect(gemini.requests).toHaveLength(2);
    expect(gemini.requests[1]!.at - gemini.requests[0]!.at).toBeGreaterThanOrEqual(290);
    expect((await state(w)).ai).toHaveLength(1);
  });

  it("retries a 500 and answers", async () => {
    const w = await world(["Do you ship to Canada?"]);
    gemini.push({ error: 500 }, reply("Yes, 3-5 business days."));
    expect(await runReply(w)).toEqual({ status: "completed" });
    expect(gemini.requests).toHaveLength(2);
    expect((await state(w)).ai).toHaveLength(1);
  });
});

describe("guardrails in code", () => {
  type Case = {
    name: string;
    texts: string[];
    setup?: Parameters<typeof world>[1];
    org?: { aiEnabled: boolean };
    model?: FakeGeminiReply[];
    handover?: string | RegExp;
    skipped?: true;
    modelCalls: number;
  };
  const cases: Case[] = [
    { name: "AI switched off for the organization", texts: ["Do you ship to Canada?"], org: { aiEnabled: false }, skipped: true, modelCalls: 0 },
    { name: "AI switched off for the conversation", texts: ["Do you ship to Canada?"], setup: { ai: { enabled: false } }, skipped: true, modelCalls: 0 },
    { name: "an opted-out contact is never messaged", texts: ["Do you ship to Canada?"], setup: { consent: "opted_out" }, skipped: true, modelCalls: 0 },
    { name: "a conversation a human has", texts: ["Do you ship to Canada?"], setup: { status: "assigned" }, skipped: true, modelCalls: 0 },
    {
      name: "no free-form text outside the 24-hour window",
      texts: ["Do you ship to Canada?"],
      setup: { lastCustomerMessageAt: new Date(Date.now() - 25 * 3600_000) },
      handover: "The 24-hour customer service window is closed; a template is needed",
      modelCalls: 0,
    },
    { name: "the customer asks for a human", texts: ["I want to talk to a person"], handover: "Customer asked for a human", modelCalls: 0 },
    { name: "strongly negative sentiment", texts: ["This is the WORST service ever, a total scam!!"], handover: "Strongly negative customer sentiment", modelCalls: 0 },
    {
      name: "after the configured number of AI replies without resolution",
      texts: ["and another question"],
      setup: { ai: { consecutiveReplies: 5 } },
      handover: "5 consecutive AI replies without resolution",
      modelCalls: 0,
    },
    { name: "the model's confidence is below the threshold", texts: ["Can I pay with crypto?"], model: [reply("Maybe?", 0.35)], handover: "Low AI confidence (0.35 < 0.60)", modelCalls: 1 },
    { name: "the model reads strongly negative sentiment", texts: ["Hmm. Again nothing arrived."], model: [reply("Sorry!", 0.9, -0.8)], handover: "Strongly negative customer sentiment (-0.80)", modelCalls: 1 },
    {
      name: "the model hands over itself",
      texts: ["Can you change my contract terms?"],
      model: [{ functionCalls: [{ name: "handover_to_human", args: { reason: "Contract changes need a person" } }] }],
      handover: "AI: Contract changes need a person",
      modelCalls: 1,
    },
    {
      name: "the model answers with text instead of a tool (invalid output)",
      texts: ["Do you ship to Canada?"],
      model: [{ text: '{"answer": "yes" ' }],
      handover: "Invalid model output: the model answered without calling a tool",
      modelCalls: 1,
    },
    {
      name: "the model's tool arguments are invalid JSON for the schema",
      texts: ["Do you ship to Canada?"],
      model: [{ functionCalls: [{ name: "reply", args: { text: "Yes", confidence: "very", sentiment: 0 } }] }],
      handover: "Invalid model output: reply.confidence: Invalid input: expected number, received string",
      modelCalls: 1,
    },
    {
      name: "the model calls a tool that does not exist",
      texts: ["Do you ship to Canada?"],
      model: [{ functionCalls: [{ name: "issue_refund", args: { amount: 100 } }] }],
      handover: 'Invalid model output: unknown tool "issue_refund"',
      modelCalls: 1,
    },
    {
      name: "the model keeps failing (model error)",
      texts: ["Do you ship to Canada?"],
      model: [{ error: 500 }, { error: 503 }, { error: 500 }, { error: 500 }],
      handover: /^Model error: Gemini 500: An internal error has occurred/,
      modelCalls: 4,
    },
  ];

  it.each(cases)("$name", async (c) => {
    if (c.org) await scoped(orgId)("settings").updateOne({}, { $set: c.org });
    const w = await world(c.texts, c.setup);
    gemini.push(...(c.model ?? []));
    expect(await runReply(w)).toEqual({ status: "completed" });
    const s = await state(w);
    expect(gemini.requests).toHaveLength(c.modelCalls);
    expect(s.ai).toHaveLength(0);
    if (c.skipped) {
      expect(s.delivered).toHaveLength(0);
      expect(s.system).toHaveLength(0);
      expect(s.conversation.ai.handoverReason).toBeNull();
      return;
    }
    // The customer is told a person will answer, where a free-form message may go.
    const windowClosed = !!c.setup?.lastCustomerMessageAt;
    expect(s.delivered.map((d) => d.request)).toMatchObject(windowClosed ? [] : [{ type: "text", text: { body: defaultSettings.handoverMessage } }]);
    expect(s.handoverNotices).toHaveLength(windowClosed ? 0 : 1);
    expect(s.conversation.status).toBe("open");
    expect(s.conversation.assigneeId).toBeNull();
    expect(s.conversation.ai.handoverReason).toMatch(c.handover!);
    expect(s.system).toHaveLength(1);
    expect(s.system[0]!.text).toBe(`AI handed over to a human: ${s.conversation.ai.handoverReason}`);
    expect(s.system[0]!.payload).toEqual({ event: "ai_handover", reason: s.conversation.ai.handoverReason });
    const errored = /^(Invalid model output|Model error)/.test(s.conversation.ai.handoverReason!);
    expect(s.runs.at(-1)).toMatchObject({ turn: c.modelCalls ? 1 : 0, outcome: errored ? "error" : "handover", reason: s.conversation.ai.handoverReason });
  });

  it("tells the customer once per handover, and not at all when the handover message is empty", async () => {
    const w = await world(["I want to talk to a person"]);
    await runReply(w);
    await runReply(w, "another-delivery");
    expect((await state(w)).delivered.map((d) => d.request)).toMatchObject([{ type: "text", text: { body: defaultSettings.handoverMessage } }]);

    await scoped(orgId)("settings").updateOne({}, { $set: { handoverMessage: "" } });
    try {
      const quiet = await world(["Can I speak to a human please"]);
      await runReply(quiet);
      const s = await state(quiet);
      expect(s.conversation.ai.handoverReason).toBe("Customer asked for a human");
      expect(s.delivered).toHaveLength(0);
    } finally {
      await scoped(orgId)("settings").updateOne({}, { $unset: { handoverMessage: "" } });
    }
  });

  it("sees the customer's words past a system line written in the same second (Meta timestamps have whole seconds)", async () => {
    const w = await world(["Which payment methods do you accept?", "I want to talk to a person"]);
    await addSystemMessage(orgId, w.conversation, { text: "AI replies turned on by Ada", payload: { event: "ai_enabled" }, at: new Date(Date.now() + 500) });
    await runReply(w);
    expect((await state(w)).conversation.ai.handoverReason).toBe("Customer asked for a human");
    expect(gemini.requests).toHaveLength(0);
  });

  it("hands over on a model timeout (never reaching the customer)", async () => {
    gemini.push({ delayMs: 1_500, then: reply("too late") });
    const run = await runConversationAgent({
      agent: await loadAgent(orgId, "conversation"),
      provider: await getAiProvider(),
      prompt: "## Conversation (oldest first)\nCustomer: hello?",
      execute: async () => ({ ok: true }),
      timeoutMs: 200,
    });
    expect(run.decision).toEqual({ kind: "handover", reason: "Model timeout: Gemini did not answer in time" });
    expect(run.turns[0]!.error).toBe("timeout: Gemini did not answer in time");
  });

  it("stops when the conversation's AI switch is turned off, and starts again when on", async () => {
    const w = await world(["Do you ship to Canada?"]);
    await scoped(orgId)("conversations").updateOne({ _id: w.conversation._id }, { $set: { "ai.enabled": false } });
    await runReply(w);
    expect(gemini.requests).toHaveLength(0);
    await scoped(orgId)("conversations").updateOne({ _id: w.conversation._id }, { $set: { "ai.enabled": true } });
    gemini.push(reply("Yes, 3-5 business days."));
    await runReply(w);
    expect((await state(w)).ai).toHaveLength(1);
  });
});

describe("idempotency and debounce", () => {
  it("answers a customer message once, however many deliveries arrive", async () => {
    const w = await world(["Do you ship to Canada?"]);
    gemini.push(reply("Yes, 3-5 business days."), reply("Yes again"), reply("And again"));
    const results = await Promise.all([runReply(w, "d-a"), runReply(w, "d-b")]);
    expect(results).toEqual([{ status: "completed" }, { status: "completed" }]);
    await runReply(w, "d-c");
    const s = await state(w);
    expect(s.ai).toHaveLength(1);
    expect(s.delivered).toHaveLength(1);
    expect(s.conversation.ai.consecutiveReplies).toBe(1);
    expect(gemini.requests).toHaveLength(1);
  });

  it("answers again when the customer writes after the answer", async () => {
    const w = await world(["Do you ship to Canada?"]);
    gemini.push(reply("Yes, 3-5 business days."), reply("It is free over $50."));
    await runReply(w);
    const next = await createInboundMessage(orgId, w.conversation, { text: "How much is shipping?" });
    await runReply({ ...w, latest: next });
    const s = await state(w);
    expect(s.ai.map((m) => m.text)).toEqual(["Yes, 3-5 business days.", "It is free over $50."]);
    expect(s.conversation.ai.consecutiveReplies).toBe(2);
  });

  it("debounces a burst: three messages, one job, one answer to all of them", async () => {
    const w = await world([]);
    gemini.push(reply("Yes, we ship to Canada, 3-5 business days, free over $50."));
    // Meta's timestamps of three messages typed within a second or two: one 5-second bucket.
    const burstAt = new Date(Math.floor(Date.now() / 5000) * 5000 + 100);
    const burst = [];
    for (const text of ["hi", "do you ship to canada?", "and how much?"]) {
      const m = await createInboundMessage(orgId, w.conversation, { text });
      burst.push(await scheduleAiReply(orgId, w.conversation._id, m._id, burstAt));
    }
    expect(burst.map((b) => b.deduplicated)).toEqual([false, true, true]);
    // In-process driver: delivered after the debounce delay.
    const until = Date.now() + 8_000;
    while ((await state(w)).ai.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const s = await state(w);
    expect(s.ai).toHaveLength(1);
    expect(gemini.requests).toHaveLength(1);
    expect(gemini.requests[0]!.body.contents[0]!.parts[0]!.text).toContain("Customer: hi\nCustomer: do you ship to canada?\nCustomer: and how much?");
    // The reply is stored before the run's record is closed: wait for the record, then check it.
    const runs = async () => (await rawCollection("workflow_executions").find({ job: "ai-reply", "payload.conversationId": w.conversation._id.toHexString() }).toArray()).map((e) => e.status);
    const closeBy = Date.now() + 5_000;
    while ((await runs()).includes("running") && Date.now() < closeBy) await new Promise((r) => setTimeout(r, 100));
    expect(await runs()).toEqual(["completed"]);
  });
});
