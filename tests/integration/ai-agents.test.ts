import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as listAgents } from "@/app/api/ai-agents/route";
import { PATCH as patchAgent } from "@/app/api/ai-agents/[id]/route";
import { POST as testAgent } from "@/app/api/ai-agents/[id]/test/route";
import { GET as listRuns } from "@/app/api/ai-runs/route";
import { ensureDefaultAgents } from "@/lib/ai/agents";
import { createArticle } from "@/lib/ai/knowledge";
import { recordRun } from "@/lib/ai/run-log";
import { scoped } from "@/lib/db/scoped";
import type { FakeGemini } from "../fakes/gemini-server";
import { createOrg, request, routeParams } from "../support/factories";
import { useFakeGemini } from "../support/fake-gemini-env";

let gemini: FakeGemini;
beforeAll(async () => {
  gemini = await useFakeGemini();
});
afterAll(() => gemini.stop());
beforeEach(() => gemini.reset());

async function orgWithAgents() {
  const org = await createOrg();
  await ensureDefaultAgents(org.orgId);
  const agents = await scoped(org.orgId)("ai_agents").find({}).toArray();
  const byType = Object.fromEntries(agents.map((a) => [a.type, a]));
  return { ...org, agent: byType as Record<string, (typeof agents)[number]> };
}

describe("AI agents page API", () => {
  it("lists the five agents of seed 000 with metrics from the run log (model calls only)", async () => {
    const { orgId, users, agent } = await orgWithAgents();
    await ensureDefaultAgents(orgId);
    const conv = { _id: agent.conversation!._id, type: "conversation" as const };
    const common = { provider: "gemini" as const, model: "gemini-2.5-flash", conversationId: null };
    await recordRun(orgId, { ...common, agent: conv, turn: 1, outcome: "replied", usage: { promptTokens: 100, completionTokens: 20 }, latencyMs: 300, costUsd: 0.001 });
    await recordRun(orgId, { ...common, agent: conv, turn: 1, outcome: "error", usage: { promptTokens: 50, completionTokens: 0 }, latencyMs: 100, costUsd: 0, error: "timeout" });
    await recordRun(orgId, { ...common, agent: { _id: null, type: "conversation" }, turn: 1, outcome: "acted", usage: { promptTokens: 10, completionTokens: 5 }, latencyMs: 200, costUsd: 0.0005 });
    await recordRun(orgId, { ...common, agent: conv, turn: 0, outcome: "handover", reason: "Customer asked for a human" });

    const res = await listAgents(await request(users.admin, "/api/ai-agents"), routeParams({}));
    const { agents } = await res.json();
    expect(agents.map((a: { type: string }) => a.type)).toEqual(["conversation", "analysis", "content", "campaign", "trigger"]);
    expect(agents[0].metrics).toMatchObject({ requests: 3, avgLatencyMs: 200, promptTokens: 160, completionTokens: 25 });
    expect(agents[0].metrics.successRate).toBeCloseTo(2 / 3, 10);
    expect(agents[0].metrics.costUsd).toBeCloseTo(0.0015, 10);
    expect(agents[1].metrics).toEqual({ requests: 0, successRate: null, avgLatencyMs: null, promptTokens: 0, completionTokens: 0, costUsd: 0 });
    expect(agents[0]).toMatchObject({ model: "", confidenceThreshold: 0.6, maxConsecutiveReplies: 5, active: true });
  });

  it("edits an agent and records the change in the audit log", async () => {
    const { orgId, users, agent } = await orgWithAgents();
    const id = agent.conversation!._id.toHexString();
    const res = await patchAgent(
      await request(users.admin, `/api/ai-agents/${id}`, { method: "PATCH", body: { temperature: 0.9, model: "gemini-2.5-pro", confidenceThreshold: 0.8, active: false } }),
      routeParams({ id }),
    );
    expect(res.status).toBe(200);
    expect((await res.json()).agent).toMatchObject({ temperature: 0.9, model: "gemini-2.5-pro", confidenceThreshold: 0.8, active: false });
    const audit = await scoped(orgId)("activity_logs").findOne({ entityType: "ai_agent" });
    expect(audit).toMatchObject({
      action: "ai_agent.deactivated",
      actorId: users.admin._id,
      before: { temperature: 0.3, model: "", confidenceThreshold: 0.6, active: true },
      after: { temperature: 0.9, model: "gemini-2.5-pro", confidenceThreshold: 0.8, active: false },
    });
  });

  describe("bad input gets a clear error and changes nothing", () => {
    const cases: { name: string; as: "admin" | "supervisor"; body: unknown; status: number; error: { code: string; message: string } }[] = [
      { name: "not an admin", as: "supervisor", body: { temperature: 1 }, status: 403, error: { code: "forbidden", message: "Your role does not allow this action" } },
      { name: "temperature out of range", as: "admin", body: { temperature: 3 }, status: 422, error: { code: "unprocessable_entity", message: "temperature: Too big: expected number to be <=2" } },
      { name: "a model name with spaces", as: "admin", body: { model: "gemini pro" }, status: 422, error: { code: "unprocessable_entity", message: "model: may contain letters, digits, '.', '-' and '_'" } },
      { name: "an empty system prompt", as: "admin", body: { systemPrompt: " " }, status: 422, error: { code: "unprocessable_entity", message: "systemPrompt: is required" } },
      { name: "nothing to update", as: "admin", body: {}, status: 422, error: { code: "unprocessable_entity", message: "Nothing to update" } },
    ];
    it.each(cases)("$name", async ({ as, body, status, error }) => {
      const { orgId, users, agent } = await orgWithAgents();
      const id = agent.conversation!._id.toHexString();
      const res = await patchAgent(await request(users[as], `/api/ai-agents/${id}`, { method: "PATCH", body }), routeParams({ id }));
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual({ error });
      expect(await scoped(orgId)("ai_agents").findOne({ _id: agent.conversation!._id })).toMatchObject({ temperature: 0.3, model: "", active: true });
    });
  });
});

describe("test console", () => {
  it("runs the conversation agent on a typed conversation, shows its tool calls, and sends or changes nothing", async () => {
    const { orgId, users, agent } = await orgWithAgents();
    await createArticle(orgId, { title: "Shipping", body: "We ship to Canada in 3-5 business days.", active: true });
    gemini.push(
      { functionCalls: [{ name: "add_tags", args: { tags: ["shipping"] } }] },
      { functionCalls: [{ name: "reply", args: { text: "Yes, 3-5 business days to Canada.", confidence: 0.92, sentiment: 0.1 } }] },
    );
    const id = agent.conversation!._id.toHexString();
    const res = await testAgent(
      await request(users.admin, `/api/ai-agents/${id}/test`, { method: "POST", body: { messages: [{ from: "customer", text: "Do you ship to Canada?" }] } }),
      routeParams({ id }),
    );
    expect(res.status).toBe(200);
    const { result } = await res.json();
    expect(result).toMatchObject({
      provider: "gemini",
      model: "gemini-2.5-flash",
      decision: { kind: "reply", text: "Yes, 3-5 business days to Canada.", confidence: 0.92 },
      guardrail: null,
      toolCalls: [
        { name: "add_tags", args: { tags: ["shipping"] } },
        { name: "reply", args: { text: "Yes, 3-5 business days to Canada.", confidence: 0.92, sentiment: 0.1 } },
      ],
      knowledge: [{ title: "Shipping", score: 3 }],
      error: null,
    });
    const prompt = JSON.stringify(gemini.requests[0]!.body.contents);
    expect(prompt).toContain("We ship to Canada in 3-5 business days.");
    expect(prompt).toContain("Customer: Do you ship to Canada?");
    const runs = await scoped(orgId)("ai_runs").find({}, { sort: { _id: 1 } }).toArray();
    expect(runs.map((r) => [r.turn, r.outcome, r.conversationId])).toEqual([
      [1, "acted", null],
      [2, "replied", null],
    ]);
    expect(await scoped(orgId)("messages").countDocuments()).toBe(0);
  });

  it("runs the analysis agent and shows its validated JSON", async () => {
    const { users, agent } = await orgWithAgents();
    gemini.push({ json: { sentiment: 0.5, intents: ["shipping_inquiry"], topics: ["shipping"], summary: "Asked about shipping.", satisfaction: 4 } });
    const id = agent.analysis!._id.toHexString();
    const res = await testAgent(await request(users.admin, `/api/ai-agents/${id}/test`, { method: "POST", body: { messages: [{ from: "customer", text: "Shipping?" }] } }), routeParams({ id }));
    expect((await res.json()).result).toMatchObject({ output: { sentiment: 0.5, satisfaction: 4 }, error: null });
  });
});

describe("run log API", () => {
  it("pages newest first with a cursor and filters by outcome", async () => {
    const { orgId, users } = await createOrg();
    const a = { _id: null, type: "conversation" as const };
    for (const outcome of ["replied", "handover", "replied", "error", "replied"] as const) {
      await recordRun(orgId, { agent: a, provider: "offline", model: "offline-ai", conversationId: null, turn: 1, outcome });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/ai-runs?limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const body: { runs: { outcome: string }[]; nextCursor: string | null } = await (await listRuns(await request(users.admin, url), routeParams({}))).json();
      seen.push(...body.runs.map((r) => r.outcome));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["replied", "error", "replied", "handover", "replied"]);
    const replied = await (await listRuns(await request(users.admin, "/api/ai-runs?outcome=replied"), routeParams({}))).json();
    expect(replied.runs).toHaveLength(3);
    const bad = await listRuns(await request(users.admin, "/api/ai-runs?cursor=nope"), routeParams({}));
    expect(await bad.json()).toEqual({ error: { code: "unprocessable_entity", message: "cursor: is not a valid cursor" } });
  });
});
