import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createGeminiProvider, parseRetryDelay } from "@/lib/ai/gemini-provider";
import { AiProviderError, type AiProvider } from "@/lib/ai/provider";
import { startGeminiServer, type FakeGemini } from "../fakes/gemini-server";

let gemini: FakeGemini;
let provider: AiProvider;

beforeAll(async () => {
  gemini = await startGeminiServer({ apiKey: "test-key" });
  provider = createGeminiProvider({ apiKey: "test-key", baseUrl: gemini.url, defaultModel: "gemini-2.5-flash", baseDelayMs: 50, timeoutMs: 2_000 });
});
afterAll(() => gemini.stop());
beforeEach(() => gemini.reset());

const base = { model: "", system: "You are helpful.", temperature: 0.2, maxOutputTokens: 256 } as const;
const ask = (text: string) => [{ role: "user" as const, parts: [{ type: "text" as const, text }] }];

async function failure(p: Promise<unknown>): Promise<AiProviderError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AiProviderError);
  return err as AiProviderError;
}

describe("Gemini provider through the real SDK against the fake generateContent server", () => {
  it("sends the system prompt, settings and image parts, and returns text with usage, cost and the raw content", async () => {
    gemini.push({ text: "We open at 9." });
    const res = await provider.generate({
      ...base,
      messages: [{ role: "user", parts: [{ type: "text", text: "When do you open?" }, { type: "image", mimeType: "image/png", base64: "iVBORw0KGgo=" }] }],
    });
    expect(res).toMatchObject({ provider: "gemini", model: "gemini-2.5-flash", text: "We open at 9.", functionCalls: [], attempts: 1 });
    expect(res.usage.promptTokens).toBeGreaterThan(0);
    expect(res.usage.completionTokens).toBeGreaterThan(0);
    expect(res.costUsd).toBeCloseTo((res.usage.promptTokens * 0.3 + res.usage.completionTokens * 2.5) / 1e6, 12);
    expect(res.rawContent).toEqual({ role: "model", parts: [{ text: "We open at 9." }] });
    const sent = gemini.requests[0]!;
    expect(sent.model).toBe("gemini-2.5-flash");
    expect(sent.apiKey).toBe("test-key");
    expect(sent.body.systemInstruction?.parts[0]?.text).toBe("You are helpful.");
    expect(sent.body.generationConfig).toMatchObject({ temperature: 0.2, maxOutputTokens: 256 });
    expect(sent.body.contents[0]!.parts).toEqual([{ text: "When do you open?" }, { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } }]);
  });

  it("asks for JSON with the zod schema and validates the answer", async () => {
    const schema = z.object({ sentiment: z.number().min(-1).max(1), topics: z.array(z.string()) });
    gemini.push({ json: { sentiment: -0.4, topics: ["shipping"] } });
    const res = await provider.generate({ ...base, messages: ask("analyse"), responseSchema: schema });
    expect(res.json).toEqual({ sentiment: -0.4, topics: ["shipping"] });
    expect(gemini.requests[0]!.body.generationConfig).toMatchObject({
      responseMimeType: "application/json",
      responseJsonSchema: { type: "object", properties: { sentiment: { type: "number", minimum: -1, maximum: 1 } } },
    });
  });

  it.each([
    ["not JSON at all", { text: "Sure! Here is the analysis: positive" }, "The model's answer is not valid JSON"],
    ["JSON of the wrong shape", { json: { sentiment: 7, topics: "shipping" } }, "The model's JSON does not match the schema (sentiment: Too big: expected number to be <=1)"],
  ])("turns %s into a typed invalid_output error", async (_name, reply, message) => {
    gemini.push(reply);
    const err = await failure(provider.generate({ ...base, messages: ask("analyse"), responseSchema: z.object({ sentiment: z.number().min(-1).max(1), topics: z.array(z.string()) }) }));
    expect(err.kind).toBe("invalid_output");
    expect(err.message).toBe(message);
  });

  it("declares tools, returns function calls, and replays the model turn with its thought signature unchanged", async () => {
    const tools = [{ name: "add_tags", description: "Tag the conversation", parameters: z.object({ tags: z.array(z.string()) }) }];
    gemini.push({ functionCalls: [{ name: "add_tags", args: { tags: ["billing"] } }] }, { text: "Tagged." });
    const first = await provider.generate({ ...base, messages: ask("tag it"), tools, toolMode: "any" });
    expect(first.functionCalls).toEqual([{ name: "add_tags", args: { tags: ["billing"] } }]);
    expect(gemini.requests[0]!.body.tools?.[0]?.functionDeclarations?.[0]).toMatchObject({ name: "add_tags", parametersJsonSchema: { type: "object", required: ["tags"] } });
    expect(gemini.requests[0]!.body.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY" } });
    const signature = (first.rawContent as { parts: { thoughtSignature?: string }[] }).parts[0]!.thoughtSignature;
    expect(signature).toBeTruthy();

    const second = await provider.generate({
      ...base,
      tools,
      messages: [...ask("tag it"), { role: "model", raw: first.rawContent }, { role: "tool", results: [{ name: "add_tags", response: { ok: true } }] }],
    });
    expect(second.text).toBe("Tagged.");
    expect(gemini.requests[1]!.body.contents[1]!.parts[0]).toMatchObject({ functionCall: { name: "add_tags" }, thoughtSignature: signature });
    expect(gemini.requests[1]!.body.contents[2]!.parts[0]).toEqual({ functionResponse: { name: "add_tags", response: { ok: true } } });
  });

  it("is rejected like Gemini 3 when a replayed function call lost its signature", async () => {
    const tools = [{ name: "add_tags", description: "Tag", parameters: z.object({ tags: z.array(z.string()) }) }];
    gemini.push({ functionCalls: [{ name: "add_tags", args: { tags: ["x"] } }] });
    await provider.generate({ ...base, messages: ask("tag"), tools });
    const rebuilt = { role: "model", parts: [{ functionCall: { name: "add_tags", args: { tags: ["x"] } } }] };
    const err = await failure(provider.generate({ ...base, tools, messages: [...ask("tag"), { role: "model", raw: rebuilt }, { role: "tool", results: [{ name: "add_tags", response: {} }] }] }));
    expect(err.kind).toBe("bad_request");
    expect(err.message).toBe("Gemini 400: Function call `add_tags` in the `1.` content block is missing a `thought_signature`.");
  });

  it("waits exactly the RetryInfo delay of a 429, then succeeds", async () => {
    gemini.push({ error: 429, retryDelay: "0.4s" }, { text: "ok" });
    const res = await provider.generate({ ...base, messages: ask("hi") });
    expect(res).toMatchObject({ text: "ok", attempts: 2 });
    const gap = gemini.requests[1]!.at - gemini.requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(390);
    expect(gap).toBeLessThan(1_500);
  });

  it("retries 500, 503 and 504 with backoff, then succeeds", async () => {
    gemini.push({ error: 500 }, { error: 503 }, { error: 504 }, { text: "finally" });
    const res = await provider.generate({ ...base, messages: ask("hi") });
    expect(res).toMatchObject({ text: "finally", attempts: 4 });
    expect(gemini.requests).toHaveLength(4);
  });

  it("gives up after its attempts with a typed error", async () => {
    gemini.push({ error: 500 }, { error: 500 }, { error: 500 }, { error: 500 }, { text: "too late" });
    const err = await failure(provider.generate({ ...base, messages: ask("hi") }));
    expect(err.kind).toBe("unavailable");
    expect(err.details).toMatchObject({ status: 500, attempts: 4 });
    expect(gemini.requests).toHaveLength(4);
  });

  it("does not wait out a 429 that asks for longer than its limit", async () => {
    gemini.push({ error: 429, retryDelay: "3600s" }, { text: "never" });
    const err = await failure(provider.generate({ ...base, messages: ask("hi") }));
    expect(err.kind).toBe("rate_limited");
    expect(gemini.requests).toHaveLength(1);
  });

  it("does not retry a 400", async () => {
    gemini.push({ error: 400 });
    const err = await failure(provider.generate({ ...base, messages: ask("hi") }));
    expect(err).toMatchObject({ kind: "bad_request", message: "Gemini 400: Request contains an invalid argument." });
    expect(gemini.requests).toHaveLength(1);
  });

  it("times out a model that does not answer", async () => {
    gemini.push({ delayMs: 1_500, then: { text: "late" } });
    const err = await failure(provider.generate({ ...base, messages: ask("hi"), timeoutMs: 200 }));
    expect(err.kind).toBe("timeout");
  });

  it("parses RetryInfo durations", () => {
    expect(parseRetryDelay("38s")).toBe(38_000);
    expect(parseRetryDelay("1.5s")).toBe(1_500);
    expect(parseRetryDelay({ seconds: 2, nanos: 500_000_000 })).toBe(2_500);
    expect(parseRetryDelay("soon")).toBeNull();
  });
});
