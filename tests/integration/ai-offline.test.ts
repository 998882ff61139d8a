import type { ObjectId } from "mongodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { analyzeConversation } from "@/lib/ai/analysis-agent";
import { conversationToolDeclarations } from "@/lib/ai/conversation-tools";
import { OFFLINE_LABEL, offlineProvider } from "@/lib/ai/offline-provider";
import { getAiProvider } from "@/lib/ai/provider";
import { suggestReplies } from "@/lib/ai/suggestions";
import { scoped } from "@/lib/db/scoped";
import { defaultSettings } from "@/lib/schemas/settings";
import { jobRegistry } from "@/lib/jobs/registry";
import { runJob } from "@/lib/jobs/run-job";
import { seedKnowledge } from "@/scripts/seed/demo-knowledge";
import { createConversation, createInboundMessage } from "../support/conversation-fixtures";
import { createOrg } from "../support/factories";
import { useOfflineAi } from "../support/fake-gemini-env";
import { insertSimAccount, startSimulatedWhatsApp, startSimulator, startWebhookCapture } from "../support/graph-sim";

let capture: Awaited<ReturnType<typeof startWebhookCapture>>;
let sim: Awaited<ReturnType<typeof startSimulator>>;
let orgId: ObjectId;
let accountId: ObjectId;

beforeAll(async () => {
  ({ capture, sim } = await startSimulatedWhatsApp());
  useOfflineAi();
  ({ orgId } = await createOrg());
  accountId = (await insertSimAccount(orgId))._id;
  await seedKnowledge(orgId);
});
afterAll(async () => {
  await sim.stop();
  await capture.stop();
});
beforeEach(() => sim.sim.reset());

let n = 0;
async function ask(...texts: string[]) {
  const phone = `+1415888${String(1000 + n++)}`;
  const { conversation } = await createConversation(orgId, accountId, { phone, consent: "opted_in" });
  await scoped(orgId)("conversations").updateOne({ _id: conversation._id }, { $set: { "ai.enabled": true } });
  sim.sim.setLastInbound(phone.slice(1), new Date());
  let latest;
  for (const text of texts) latest = await createInboundMessage(orgId, conversation, { text });
  await runJob(jobRegistry, "ai-reply", { orgId: orgId.toHexString(), conversationId: conversation._id.toHexString(), messageId: latest!._id.toHexString() }, { messageId: `offline-${n}`, attempt: 1 });
  const db = scoped(orgId);
  const sent = await db("messages").find({ conversationId: conversation._id, sender: "ai" }).toArray();
  const handoverNotice = (m: (typeof sent)[number]) => m.key.startsWith("out:handover:");
  return {
    /** What reached the customer's phone through the Graph API simulator. */
    delivered: sim.sim.sent(phone.slice(1)).map((t) => t.text),
    conversation: (await db("conversations").findOne({ _id: conversation._id }))!,
    contact: (await db("contacts").findOne({ _id: conversation.contactId }))!,
    ai: sent.filter((m) => !handoverNotice(m)),
    handoverNotices: sent.filter(handoverNotice).map((m) => m.text),
    runs: await db("ai_runs").find({ conversationId: conversation._id }).toArray(),
  };
}

describe("offline AI (no GEMINI_API_KEY): the same agent code path, deterministic, labelled for agents only", () => {
  it("is selected when no key is configured", async () => {
    expect((await getAiProvider()).name).toBe("offline");
  });

  it("answers from the knowledge base; the message records its provider and the customer reads no label", async () => {
    const r = await ask("Do you ship to Canada?");
    expect(r.ai).toHaveLength(1);
    expect(r.ai[0]!.text).toMatch(/^We ship to .*Canada/);
    expect(r.ai[0]!.ai).toEqual({ provider: "offline", model: "offline-ai" });
    expect(r.delivered).toEqual([r.ai[0]!.text]);
    expect(r.conversation).toMatchObject({ status: "ai_handled", ai: { consecutiveReplies: 1 } });
    expect(r.conversation.ai.confidence).toBeGreaterThanOrEqual(0.6);
    expect(r.runs).toMatchObject([{ provider: "offline", model: "offline-ai", outcome: "replied", costUsd: 0 }]);
    expect(r.runs[0]!.knowledgeArticleIds.length).toBeGreaterThan(0);
  });

  it("answers a returns question from the returns policy, with no prefix in what the customer gets", async () => {
    const r = await ask("How do I return an item I bought?");
    expect(r.handoverNotices).toEqual([]);
    expect(r.ai).toHaveLength(1);
    expect(r.ai[0]!.text).toContain("return any unused item within 30 days");
    expect(r.ai[0]!.text).not.toContain(OFFLINE_LABEL);
    expect(r.delivered).toEqual([r.ai[0]!.text]);
    expect(r.conversation).toMatchObject({ status: "ai_handled" });
  });

  it("hands over a stock question: one shared word with the returns policy is no match", async () => {
    const r = await ask("Is this item in stock?");
    expect(r.ai).toHaveLength(0);
    expect(r.delivered).toEqual([defaultSettings.handoverMessage]);
    expect(r.conversation).toMatchObject({ status: "open", ai: { handoverReason: "Low AI confidence (0.20 < 0.60)" } });
    expect(r.runs).toMatchObject([{ provider: "offline", outcome: "handover" }]);
  });

  it("acts through the same tools: saves an email the customer gives", async () => {
    const r = await ask("My email is Ana@Example.org - what payment methods do you accept?");
    expect(r.contact.email).toBe("ana@example.org");
    expect(r.ai[0]!.text).toContain("PayPal");
    expect(r.runs[0]!.toolCalls.map((c) => c.name)).toEqual(["update_contact", "reply"]);
  });

  it("hands over when the knowledge base has no answer (low confidence)", async () => {
    const r = await ask("Can you fix the wiring in my garage tomorrow afternoon?");
    expect(r.ai).toHaveLength(0);
    expect(r.handoverNotices).toEqual([defaultSettings.handoverMessage]);
    expect(r.conversation).toMatchObject({ status: "open", ai: { handoverReason: "Low AI confidence (0.20 < 0.60)" } });
  });

  it("hands over when the customer asks for a person", async () => {
    const r = await ask("I want to talk to a person");
    expect(r.conversation.ai.handoverReason).toBe("Customer asked for a human");
    expect(r.ai).toHaveLength(0);
    expect(r.handoverNotices).toEqual([defaultSettings.handoverMessage]);
  });

  it("emits handover_to_human itself for a person request or an upset customer (provider level)", async () => {
    const call = async (text: string) =>
      (await offlineProvider.generate({ model: "", system: "", temperature: 0, maxOutputTokens: 100, tools: conversationToolDeclarations, toolMode: "any", messages: [{ role: "user", parts: [{ type: "text", text: `## Conversation (oldest first)\nCustomer: ${text}` }] }] })).functionCalls;
    expect(await call("can I speak to a real person")).toEqual([{ name: "handover_to_human", args: { reason: `${OFFLINE_LABEL} the customer asked for a person` } }]);
    expect(await call("This is unacceptable, worst service, I'm furious!!")).toEqual([{ name: "handover_to_human", args: { reason: `${OFFLINE_LABEL} the customer is upset` } }]);
  });

  it("analyses and suggests with schema-valid JSON", async () => {
    const { conversation } = await createConversation(orgId, accountId);
    await createInboundMessage(orgId, conversation, { text: "My order is late and I want a refund" });
    const analysis = await analyzeConversation(orgId, conversation._id);
    expect(analysis.outcome).toBe("analysed");
    if (analysis.outcome !== "analysed") return;
    expect(analysis.analytics.summary).toMatch(/^\[offline AI\]/);
    expect(analysis.analytics.intents).toEqual(expect.arrayContaining(["refund_request", "order_status"]));
    expect(analysis.analytics.sentiment).toBeLessThan(0);
    const s = await suggestReplies(orgId, conversation._id);
    expect(s.provider).toBe("offline");
    expect(s.drafts).toHaveLength(3);
  });
});
