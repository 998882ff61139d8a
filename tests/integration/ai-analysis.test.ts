import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as getAnalysis, POST as analyze } from "@/app/api/conversations/[id]/analyze/route";
import { POST as suggest } from "@/app/api/conversations/[id]/suggestions/route";
import { enqueueResolvedAnalysis } from "@/lib/ai/ai-analyze-job";
import { createArticle } from "@/lib/ai/knowledge";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { setConversationStatus } from "@/lib/inbox/actions";
import { jobRegistry } from "@/lib/jobs/registry";
import { runJob } from "@/lib/jobs/run-job";
import type { FakeGemini } from "../fakes/gemini-server";
import { createConversation, createInboundMessage } from "../support/conversation-fixtures";
import { createOrg, request, routeParams } from "../support/factories";
import { useFakeGemini } from "../support/fake-gemini-env";
import { insertSimAccount } from "../support/graph-sim";
import { useQstashEnv } from "../support/jobs";

let gemini: FakeGemini;
let org: Awaited<ReturnType<typeof createOrg>>;
let accountId: Awaited<ReturnType<typeof insertSimAccount>>["_id"];

beforeAll(async () => {
  gemini = await useFakeGemini();
  org = await createOrg();
  accountId = (await insertSimAccount(org.orgId))._id;
});
afterAll(() => gemini.stop());
beforeEach(() => gemini.reset());

async function conversationWith(...texts: string[]) {
  const { conversation } = await createConversation(org.orgId, accountId);
  for (const text of texts) await createInboundMessage(org.orgId, conversation, { text });
  return conversation;
}

const good = { sentiment: -0.4, intents: ["Refund Request", "order status"], topics: ["Refund", "late delivery"], summary: "Order arrived late; customer wants a refund.", satisfaction: 2 };

describe("analysis agent", () => {
  it("analyses on demand, stores one analytics document per conversation, and serves it to the contact panel", async () => {
    const c = await conversationWith("My order is two weeks late", "I want a refund");
    const id = c._id.toHexString();
    const before = await (await getAnalysis(await request(org.users.agent, `/api/conversations/${id}/analyze`), routeParams({ id }))).json();
    expect(before).toEqual({ analysis: null, provider: "gemini" });

    gemini.push({ json: good }, { json: { ...good, sentiment: 0.1, satisfaction: 3 } });
    const res = await analyze(await request(org.users.agent, `/api/conversations/${id}/analyze`, { method: "POST" }), routeParams({ id }));
    expect(res.status).toBe(200);
    expect((await res.json()).analysis).toMatchObject({ sentiment: -0.4, intents: ["refund_request", "order_status"], topics: ["refund", "late delivery"], satisfaction: 2 });
    expect(gemini.requests[0]!.body.generationConfig).toMatchObject({ responseMimeType: "application/json" });
    expect(JSON.stringify(gemini.requests[0]!.body.contents)).toContain("Customer: I want a refund");

    await analyze(await request(org.users.agent, `/api/conversations/${id}/analyze`, { method: "POST" }), routeParams({ id }));
    const stored = await scoped(org.orgId)("conversation_analytics").find({ conversationId: c._id }).toArray();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ sentiment: 0.1, satisfaction: 3 });
    const runs = await scoped(org.orgId)("ai_runs").find({ conversationId: c._id }).toArray();
    expect(runs.map((r) => [r.agentType, r.outcome])).toEqual([["analysis", "analysed"], ["analysis", "analysed"]]);
  });

  it("lets a viewer read the analysis but not run one (it calls the model and writes the result)", async () => {
    const c = await conversationWith("Is my order on its way?");
    const id = c._id.toHexString();
    const read = await getAnalysis(await request(org.users.viewer, `/api/conversations/${id}/analyze`), routeParams({ id }));
    expect(read.status).toBe(200);
    const run = await analyze(await request(org.users.viewer, `/api/conversations/${id}/analyze`, { method: "POST" }), routeParams({ id }));
    expect(run.status).toBe(403);
    expect(await run.json()).toEqual({ error: { code: "forbidden", message: "Your role does not allow this action" } });
    expect(gemini.requests).toHaveLength(0);
    expect(await scoped(org.orgId)("conversation_analytics").countDocuments({ conversationId: c._id })).toBe(0);
    expect(await scoped(org.orgId)("ai_runs").countDocuments({ conversationId: c._id })).toBe(0);
  });

  it("rejects invalid JSON from the model: nothing stored, the run is logged as an error, the user gets a clear 503", async () => {
    const c = await conversationWith("hello?");
    const id = c._id.toHexString();
    gemini.push({ text: "Sentiment: positive. Summary: greeting." });
    const res = await analyze(await request(org.users.agent, `/api/conversations/${id}/analyze`, { method: "POST" }), routeParams({ id }));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: { code: "service_unavailable", message: "The AI analysis is unavailable right now. Please try again in a moment." } });
    expect(await scoped(org.orgId)("conversation_analytics").countDocuments({ conversationId: c._id })).toBe(0);
    expect(await scoped(org.orgId)("ai_runs").findOne({ conversationId: c._id })).toMatchObject({ outcome: "error", error: "invalid_output: The model's answer is not valid JSON", output: "Sentiment: positive. Summary: greeting." });
  });

  it("the ai-analyze job: invalid output fails without retry, a 503 is retried", async () => {
    const c = await conversationWith("where is my parcel");
    const payload = { orgId: org.orgId.toHexString(), conversationId: c._id.toHexString() };
    gemini.push({ json: { ...good, sentiment: 5 } });
    expect(await runJob(jobRegistry, "ai-analyze", payload, { messageId: "an-1", attempt: 1 })).toMatchObject({ status: "failed" });
    gemini.push({ error: 503 }, { error: 503 }, { error: 503 }, { error: 503 });
    expect(await runJob(jobRegistry, "ai-analyze", payload, { messageId: "an-2", attempt: 1 })).toMatchObject({ status: "retry", final: false });
    gemini.push({ json: good });
    expect(await runJob(jobRegistry, "ai-analyze", payload, { messageId: "an-2", attempt: 2 })).toEqual({ status: "completed" });
    expect(await scoped(org.orgId)("conversation_analytics").findOne({ conversationId: c._id })).toMatchObject({ summary: good.summary });
  });

  it("on resolve: clears the handover state and enqueues one analysis", async () => {
    useQstashEnv({});
    const c = await conversationWith("thanks, all good");
    await scoped(org.orgId)("conversations").updateOne({ _id: c._id }, { $set: { "ai.handoverReason": "Customer asked for a human", "ai.consecutiveReplies": 3 } });
    gemini.push({ json: { ...good, sentiment: 0.8, satisfaction: 5 } });
    const admin = { ...org.users.admin, orgId: org.orgId };
    const resolved = await setConversationStatus(admin, { id: admin._id, name: admin.name }, c, { status: "resolved" });
    // The reset is part of the status write itself: the answer already carries it.
    expect(resolved).toMatchObject({ status: "resolved", ai: { handoverReason: null, consecutiveReplies: 0 } });
    // A double click within the same 10 s enqueues no second analysis.
    expect((await enqueueResolvedAnalysis(org.orgId, c._id)).deduplicated).toBe(true);
    expect(await scoped(org.orgId)("conversations").findOne({ _id: c._id })).toMatchObject({ ai: { handoverReason: null, consecutiveReplies: 0 } });
    const until = Date.now() + 5_000;
    while (!(await scoped(org.orgId)("conversation_analytics").findOne({ conversationId: c._id })) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(await scoped(org.orgId)("conversation_analytics").findOne({ conversationId: c._id })).toMatchObject({ sentiment: 0.8, satisfaction: 5 });
    expect(await rawCollection("workflow_executions").countDocuments({ job: "ai-analyze", "payload.conversationId": c._id.toHexString() })).toBe(1);
  });
});

describe("suggested replies", () => {
  it("returns three drafts grounded in the conversation and the knowledge base", async () => {
    await createArticle(org.orgId, { title: "Returns", body: "Returns within 30 days with a prepaid label.", active: true });
    const c = await conversationWith("Can I return my shoes?");
    const id = c._id.toHexString();
    gemini.push({ json: { drafts: ["Yes, within 30 days.", "Sure! Want a prepaid label?", "Sorry they did not fit. Returns are free within 30 days."] } });
    const res = await suggest(await request(org.users.agent, `/api/conversations/${id}/suggestions`, { method: "POST" }), routeParams({ id }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ drafts: ["Yes, within 30 days.", "Sure! Want a prepaid label?", "Sorry they did not fit. Returns are free within 30 days."], provider: "gemini", knowledge: [{ title: "Returns" }] });
    expect(JSON.stringify(gemini.requests[0]!.body.contents)).toContain("Returns within 30 days with a prepaid label.");
    expect(await scoped(org.orgId)("ai_runs").findOne({ conversationId: c._id })).toMatchObject({ outcome: "suggested" });
    expect(await scoped(org.orgId)("messages").countDocuments({ conversationId: c._id, direction: "outbound" })).toBe(0);
  });

  it.each([
    ["two drafts instead of three", { json: { drafts: ["a", "b"] } }, 503, { code: "service_unavailable", message: "AI suggestions are unavailable right now. Please try again in a moment." }],
    ["a model outage", { error: 400 as const }, 503, { code: "service_unavailable", message: "AI suggestions are unavailable right now. Please try again in a moment." }],
  ])("answers %s with a clear error", async (_n, reply, status, error) => {
    const c = await conversationWith("hi");
    const id = c._id.toHexString();
    gemini.push(reply);
    const res = await suggest(await request(org.users.agent, `/api/conversations/${id}/suggestions`, { method: "POST" }), routeParams({ id }));
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error });
  });

  it("keeps to the inbox's visibility: an agent gets 403 on another agent's conversation, for suggestions and analysis", async () => {
    const c = await conversationWith("hi");
    const id = c._id.toHexString();
    await scoped(org.orgId)("conversations").updateOne({ _id: c._id }, { $set: { assigneeId: org.users.agent2._id, status: "assigned" } });
    const forbidden = { error: { code: "forbidden", message: "You do not have access to this conversation" } };
    const s = await suggest(await request(org.users.agent, `/api/conversations/${id}/suggestions`, { method: "POST" }), routeParams({ id }));
    expect(s.status).toBe(403);
    expect(await s.json()).toEqual(forbidden);
    const a = await analyze(await request(org.users.agent, `/api/conversations/${id}/analyze`, { method: "POST" }), routeParams({ id }));
    expect(await a.json()).toEqual(forbidden);
    const g = await getAnalysis(await request(org.users.agent, `/api/conversations/${id}/analyze`), routeParams({ id }));
    expect(await g.json()).toEqual(forbidden);
    expect(gemini.requests).toHaveLength(0);
  });

  it("is not for viewers, and 404 for another organization's conversation", async () => {
    const c = await conversationWith("hi");
    const id = c._id.toHexString();
    const viewer = await suggest(await request(org.users.viewer, `/api/conversations/${id}/suggestions`, { method: "POST" }), routeParams({ id }));
    expect(await viewer.json()).toEqual({ error: { code: "forbidden", message: "Your role does not allow this action" } });
    const other = await createOrg("Other");
    const cross = await suggest(await request(other.users.agent, `/api/conversations/${id}/suggestions`, { method: "POST" }), routeParams({ id }));
    expect(cross.status).toBe(404);
    expect(await cross.json()).toEqual({ error: { code: "not_found", message: "Conversation not found" } });
  });
});
