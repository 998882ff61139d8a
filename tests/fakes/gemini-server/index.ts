/**
 * A fake Gemini API speaking the real `generateContent` REST JSON, so tests drive the real
 * @google/genai SDK through its base-URL option (GEMINI_BASE_URL). Scriptable per test: a queue of
 * replies (text, JSON, function calls with thought signatures, 429 with RetryInfo, 5xx, slow answers),
 * then a default responder. Like Gemini 3 it rejects a follow-up turn whose function-call parts lost
 * the thought signature it issued.
 * Shapes: https://ai.google.dev/api/generate-content#v1beta.GenerateContentResponse and
 * https://ai.google.dev/gemini-api/docs/troubleshooting (error bodies).
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type FakeFunctionCall = { name: string; args?: Record<string, unknown>; /** default true: Gemini 3 signs function calls */ signed?: boolean };

export type FakeGeminiReply =
  | { text: string }
  | { json: unknown }
  | { functionCalls: FakeFunctionCall[]; text?: string }
  | { error: 429; retryDelay?: string }
  | { error: 400 | 500 | 503 | 504; message?: string }
  | { raw: { status: number; body: unknown } }
  | { delayMs: number; then: FakeGeminiReply };

export type RecordedRequest = {
  model: string;
  apiKey: string | null;
  body: {
    contents: { role?: string; parts: Record<string, unknown>[] }[];
    systemInstruction?: { parts: { text?: string }[] };
    generationConfig?: Record<string, unknown>;
    tools?: { functionDeclarations?: { name: string; description?: string; parametersJsonSchema?: unknown }[] }[];
    toolConfig?: Record<string, unknown>;
  };
  at: number;
};

export type Responder = (req: RecordedRequest) => FakeGeminiReply;

export type FakeGemini = {
  url: string;
  /** Replies used in order, one per request, before the default responder. */
  push(...replies: (FakeGeminiReply | Responder)[]): void;
  setDefault(responder: Responder | null): void;
  requests: RecordedRequest[];
  /** Requests that found neither a queued reply nor a default (answered 500). */
  unscripted: number;
  reset(): void;
  stop(): Promise<void>;
};

const errorBodies = {
  400: { status: "INVALID_ARGUMENT", message: "Request contains an invalid argument." },
  500: { status: "INTERNAL", message: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting" },
  503: { status: "UNAVAILABLE", message: "The model is overloaded. Please try again later." },
  504: { status: "DEADLINE_EXCEEDED", message: "Deadline expired before operation could complete." },
} as const;

function googleError(code: number, status: string, message: string, details?: unknown[]) {
  return { error: { code, message, status, ...(details ? { details } : {}) } };
}

const tokens = (s: string) => Math.max(1, Math.ceil(s.length / 4));

/** Key order-independent identity of a function call (the SDK re-serialises what it received). */
function callKey(fc: unknown): string {
  const stable = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(stable) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, stable(x)])) : v;
  const { name, args } = fc as { name?: string; args?: unknown };
  return JSON.stringify([name, stable(args ?? {})]);
}

export async function startGeminiServer(opts: { port?: number; apiKey?: string; defaultResponder?: Responder } = {}): Promise<FakeGemini> {
  const queue: (FakeGeminiReply | Responder)[] = [];
  let fallback: Responder | null = opts.defaultResponder ?? null;
  /** functionCall JSON -> the signature issued with it; a replay must carry it unchanged. */
  const signatures = new Map<string, string>();
  const state = { requests: [] as RecordedRequest[], unscripted: 0 };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
    res.end(JSON.stringify(body));
  };

  function missingSignature(req: RecordedRequest): string | null {
    for (const [i, content] of req.body.contents.entries()) {
      if (content.role !== "model") continue;
      for (const part of content.parts) {
        if (!part.functionCall) continue;
        const expected = signatures.get(callKey(part.functionCall));
        if (expected && part.thoughtSignature !== expected) {
          const name = (part.functionCall as { name?: string }).name;
          return part.thoughtSignature
            ? "Corrupted thought signature."
            : `Function call \`${name}\` in the \`${i}.\` content block is missing a \`thought_signature\`.`;
        }
      }
    }
    return null;
  }

  async function respond(reply: FakeGeminiReply, req: RecordedRequest, res: ServerResponse) {
    if ("delayMs" in reply) {
      await new Promise((r) => setTimeout(r, reply.delayMs));
      if (res.destroyed || res.writableEnded) return;
      return respond(reply.then, req, res);
    }
    if ("raw" in reply) return send(res, reply.raw.status, reply.raw.body);
    if ("error" in reply) {
      if (reply.error === 429) {
        return send(
          res,
          429,
          googleError(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details.", [
            {
              "@type": "type.googleapis.com/google.rpc.QuotaFailure",
              violations: [{ quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests", quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier" }],
            },
            { "@type": "type.googleapis.com/google.rpc.Help", links: [{ description: "Learn more about Gemini API quotas", url: "https://ai.google.dev/gemini-api/docs/rate-limits" }] },
            ...(reply.retryDelay ? [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: reply.retryDelay }] : []),
          ]),
        );
      }
      const e = errorBodies[reply.error];
      return send(res, reply.error, googleError(reply.error, e.status, reply.message ?? e.message));
    }
    const parts: Record<string, unknown>[] = [];
    if ("functionCalls" in reply) {
      if (reply.text) parts.push({ text: reply.text });
      reply.functionCalls.forEach((fc, i) => {
        const functionCall = { name: fc.name, args: fc.args ?? {} };
        const part: Record<string, unknown> = { functionCall };
        // Parallel calls: only the first carries the signature, as Gemini does.
        if (fc.signed !== false && i === 0) {
          const sig = randomBytes(24).toString("base64");
          signatures.set(callKey(functionCall), sig);
          part.thoughtSignature = sig;
        }
        parts.push(part);
      });
    } else {
      parts.push({ text: "json" in reply ? JSON.stringify(reply.json) : reply.text });
    }
    const prompt = JSON.stringify(req.body.contents) + JSON.stringify(req.body.systemInstruction ?? "");
    const promptTokenCount = tokens(prompt);
    const candidatesTokenCount = tokens(JSON.stringify(parts));
    send(res, 200, {
      candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount, candidatesTokenCount, totalTokenCount: promptTokenCount + candidatesTokenCount, promptTokensDetails: [{ modality: "TEXT", tokenCount: promptTokenCount }] },
      modelVersion: req.model,
      responseId: randomBytes(8).toString("hex"),
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://localhost");
    const m = /^\/v1beta\/models\/([^/:]+):generateContent$/.exec(url.pathname);
    if (req.method !== "POST" || !m) {
      return send(res, 404, googleError(404, "NOT_FOUND", `Method not found: ${req.method} ${url.pathname}`));
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: RecordedRequest["body"];
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(res, 400, googleError(400, "INVALID_ARGUMENT", "Invalid JSON payload received."));
    }
    const apiKey = (req.headers["x-goog-api-key"] as string | undefined) ?? url.searchParams.get("key");
    if (!apiKey || (opts.apiKey && apiKey !== opts.apiKey)) {
      return send(res, 400, googleError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key."));
    }
    const recorded: RecordedRequest = { model: decodeURIComponent(m[1]!), apiKey, body, at: Date.now() };
    state.requests.push(recorded);
    const bad = missingSignature(recorded);
    if (bad) return send(res, 400, googleError(400, "INVALID_ARGUMENT", bad));
    const next = queue.shift();
    const reply = next ? (typeof next === "function" ? next(recorded) : next) : fallback?.(recorded);
    if (!reply) {
      state.unscripted++;
      return send(res, 500, googleError(500, "INTERNAL", "fake gemini: no scripted reply for this request"));
    }
    await respond(reply, recorded, res);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => send(res, 500, googleError(500, "INTERNAL", String(err))));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    push: (...replies) => void queue.push(...replies),
    setDefault: (r) => void (fallback = r),
    get requests() {
      return state.requests;
    },
    get unscripted() {
      return state.unscripted;
    },
    reset() {
      queue.length = 0;
      state.requests.length = 0;
      state.unscripted = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
