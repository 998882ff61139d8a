import { ApiError as GenAiApiError, FunctionCallingConfigMode, GoogleGenAI, type Content, type GenerateContentConfig, type Part } from "@google/genai";
import type { z } from "zod";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { costUsd } from "./pricing";
import {
  AiProviderError,
  jsonSchemaOf,
  parseJsonOutput,
  type AiProvider,
  type FunctionCall,
  type GenerateRequest,
  type GenerateResult,
  type ProviderMessage,
  type Usage,
} from "./provider";

export type GeminiOptions = {
  apiKey: string;
  /** GEMINI_BASE_URL: Google's endpoint when unset; the fake server in tests. */
  baseUrl?: string;
  defaultModel: string;
  /** Attempts including the first, for 429/500/503/504 and network errors. */
  maxAttempts?: number;
  /** First backoff delay; doubles per attempt, with jitter. */
  baseDelayMs?: number;
  /** A 429 asking to wait longer than this is not waited for: the caller hands over instead. */
  maxDelayMs?: number;
  timeoutMs?: number;
};

const RETRYABLE = new Set([429, 500, 503, 504]);

/**
 * Gemini through the official SDK. The SDK's own retry (p-retry) ignores the server's RetryInfo, so
 * retries are done here: exponential backoff with jitter, or exactly the `retryDelay` a 429 names.
 */
export function createGeminiProvider(options?: Partial<GeminiOptions>): AiProvider {
  const e = env();
  const o: Required<Omit<GeminiOptions, "baseUrl">> & { baseUrl?: string } = {
    apiKey: options?.apiKey ?? e.GEMINI_API_KEY ?? "",
    baseUrl: options?.baseUrl ?? e.GEMINI_BASE_URL,
    defaultModel: options?.defaultModel ?? e.GEMINI_MODEL,
    maxAttempts: options?.maxAttempts ?? 4,
    baseDelayMs: options?.baseDelayMs ?? 500,
    maxDelayMs: options?.maxDelayMs ?? 20_000,
    timeoutMs: options?.timeoutMs ?? 25_000,
  };
  if (!o.apiKey) throw new AiProviderError("config", "GEMINI_API_KEY is not set");
  const client = new GoogleGenAI({ apiKey: o.apiKey, ...(o.baseUrl ? { httpOptions: { baseUrl: o.baseUrl } } : {}) });

  return {
    name: "gemini",
    defaultModel: o.defaultModel,
    async generate<S extends z.ZodType | undefined = undefined>(req: GenerateRequest<S>) {
      const model = req.model || o.defaultModel;
      const config: GenerateContentConfig = {
        systemInstruction: req.system,
        temperature: req.temperature,
        maxOutputTokens: req.maxOutputTokens,
        httpOptions: { timeout: req.timeoutMs ?? o.timeoutMs },
      };
      if (req.tools?.length) {
        config.tools = [
          {
            functionDeclarations: req.tools.map((t) => ({ name: t.name, description: t.description, parametersJsonSchema: jsonSchemaOf(t.parameters) })),
          },
        ];
        config.toolConfig = {
          functionCallingConfig: { mode: req.toolMode === "any" ? FunctionCallingConfigMode.ANY : FunctionCallingConfigMode.AUTO },
        };
      }
      if (req.responseSchema) {
        config.responseMimeType = "application/json";
        config.responseJsonSchema = jsonSchemaOf(req.responseSchema);
      }
      const contents = req.messages.map(toContent);

      const started = Date.now();
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await client.models.generateContent({ model, contents, config });
          const latencyMs = Date.now() - started;
          const usage: Usage = {
            promptTokens: res.usageMetadata?.promptTokenCount ?? 0,
            // Thinking tokens are billed as output.
            completionTokens: (res.usageMetadata?.candidatesTokenCount ?? 0) + (res.usageMetadata?.thoughtsTokenCount ?? 0),
          };
          const details = { attempts: attempt, usage, latencyMs };
          const candidate = res.candidates?.[0];
          if (!candidate?.content) {
            const reason = res.promptFeedback?.blockReason ?? candidate?.finishReason ?? "no candidate";
            throw new AiProviderError(String(reason).includes("MAX_TOKENS") ? "invalid_output" : "blocked", `The model returned no content (${reason})`, details);
          }
          const parts = candidate.content.parts ?? [];
          const text = parts.filter((p) => typeof p.text === "string" && !p.thought).map((p) => p.text).join("") || null;
          const functionCalls: FunctionCall[] = parts
            .filter((p): p is Part & { functionCall: NonNullable<Part["functionCall"]> } => !!p.functionCall)
            .map((p) => ({ ...(p.functionCall.id ? { id: p.functionCall.id } : {}), name: p.functionCall.name ?? "", args: p.functionCall.args ?? {} }));
          const json = req.responseSchema ? parseJsonOutput(req.responseSchema, text, details) : undefined;
          return {
            provider: "gemini",
            model,
            text,
            json,
            functionCalls,
            usage,
            latencyMs,
            costUsd: costUsd(model, usage),
            rawContent: candidate.content,
            attempts: attempt,
          } as GenerateResult<S extends z.ZodType ? z.output<S> : undefined>;
        } catch (err) {
          const failure = classify(err, attempt, Date.now() - started);
          if (!failure.retryable || attempt >= o.maxAttempts) throw failure.error;
          const delay = failure.retryDelayMs ?? backoff(attempt, o.baseDelayMs);
          if (delay > o.maxDelayMs) throw failure.error;
          log.warn("ai.gemini_retry", { model, attempt, status: failure.error.details.status, delayMs: delay });
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    },
  };
}

function toContent(m: ProviderMessage): Content {
  if (m.role === "model") return m.raw as Content;
  if (m.role === "tool") {
    return { role: "user", parts: m.results.map((r) => ({ functionResponse: { ...(r.id ? { id: r.id } : {}), name: r.name, response: r.response } })) };
  }
  return {
    role: "user",
    parts: m.parts.map((p) => (p.type === "text" ? { text: p.text } : { inlineData: { mimeType: p.mimeType, data: p.base64 } })),
  };
}

function backoff(attempt: number, baseMs: number): number {
  const exp = baseMs * 2 ** (attempt - 1);
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

/** "38s", "1.5s" or a protobuf Duration object -> milliseconds. */
export function parseRetryDelay(value: unknown): number | null {
  if (typeof value === "string") {
    const m = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
    return m ? Math.round(Number(m[1]) * 1000) : null;
  }
  if (value && typeof value === "object") {
    const d = value as { seconds?: number | string; nanos?: number };
    return Math.round(Number(d.seconds ?? 0) * 1000 + (d.nanos ?? 0) / 1e6);
  }
  return null;
}

type Classified = { error: AiProviderError; retryable: boolean; retryDelayMs?: number };

function classify(err: unknown, attempt: number, latencyMs: number): Classified {
  if (err instanceof AiProviderError) return { error: err, retryable: false };
  if (err instanceof GenAiApiError) {
    // The SDK puts the JSON error body in the message: { error: { code, message, status, details } }.
    let body: { error?: { message?: string; details?: { "@type"?: string; retryDelay?: unknown }[] } } = {};
    try {
      body = JSON.parse(err.message);
    } catch {
      /* a non-JSON error body: keep the status only */
    }
    const message = body.error?.message ?? err.message;
    const retryInfo = body.error?.details?.find((d) => d["@type"]?.endsWith("google.rpc.RetryInfo"));
    const retryDelayMs = retryInfo ? (parseRetryDelay(retryInfo.retryDelay) ?? undefined) : undefined;
    const kind = err.status === 429 ? "rate_limited" : err.status >= 500 ? "unavailable" : err.status === 401 || err.status === 403 ? "config" : "bad_request";
    return {
      error: new AiProviderError(kind, `Gemini ${err.status}: ${message}`, { status: err.status, attempts: attempt, latencyMs }),
      retryable: RETRYABLE.has(err.status),
      retryDelayMs,
    };
  }
  const name = (err as { name?: string } | null)?.name;
  if (name === "AbortError" || name === "TimeoutError") {
    return { error: new AiProviderError("timeout", "Gemini did not answer in time", { attempts: attempt, latencyMs }), retryable: false };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { error: new AiProviderError("unavailable", `Gemini unreachable: ${message}`, { attempts: attempt, latencyMs }), retryable: true };
}
