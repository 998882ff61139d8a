import { z } from "zod";
import { integrations } from "@/lib/env";

/**
 * The one interface every AI feature talks to. Two implementations: Gemini through @google/genai
 * (gemini-provider.ts) and a deterministic offline provider (offline-provider.ts) used when no
 * GEMINI_API_KEY is set. Agents never know which one answers.
 */
export type ProviderName = "gemini" | "offline";

export type InputPart = { type: "text"; text: string } | { type: "image"; mimeType: string; base64: string };

export type ProviderMessage =
  | { role: "user"; parts: InputPart[] }
  /**
   * A previous model turn. `raw` is the provider's own content, replayed unchanged: Gemini 3 rejects
   * a function-call turn whose thought signatures were dropped or rebuilt.
   */
  | { role: "model"; raw: unknown }
  /** Results of the function calls of the previous model turn, in its order. */
  | { role: "tool"; results: { id?: string; name: string; response: Record<string, unknown> }[] };

export type ToolDeclaration = {
  name: string;
  description: string;
  parameters: z.ZodObject;
};

export type FunctionCall = { id?: string; name: string; args: Record<string, unknown> };

export type GenerateRequest<S extends z.ZodType | undefined = undefined> = {
  model: string;
  system: string;
  messages: ProviderMessage[];
  temperature: number;
  maxOutputTokens: number;
  tools?: ToolDeclaration[];
  /** `any` forces a function call on every turn (the conversation agent acts only through tools). */
  toolMode?: "auto" | "any";
  /** JSON output, validated; an answer that does not parse or validate is an `invalid_output` error. */
  responseSchema?: S;
  /** Per attempt; retries are bounded separately. */
  timeoutMs?: number;
};

export type Usage = { promptTokens: number; completionTokens: number };

export type GenerateResult<T = undefined> = {
  provider: ProviderName;
  model: string;
  text: string | null;
  json: T;
  functionCalls: FunctionCall[];
  usage: Usage;
  latencyMs: number;
  costUsd: number;
  /** The model's content as returned; pass it back as `{ role: "model", raw }` on the next turn. */
  rawContent: unknown;
  attempts: number;
};

export type AiErrorKind = "invalid_output" | "rate_limited" | "unavailable" | "timeout" | "bad_request" | "blocked" | "config";

/** Every provider failure, typed. Callers turn it into a handover; it never reaches the customer. */
export class AiProviderError extends Error {
  name = "AiProviderError";
  constructor(
    public readonly kind: AiErrorKind,
    message: string,
    public readonly details: { status?: number; attempts?: number; usage?: Usage; latencyMs?: number; rawText?: string } = {},
  ) {
    super(message);
  }
}

export interface AiProvider {
  readonly name: ProviderName;
  /** The model used when an agent's configuration leaves it empty. */
  readonly defaultModel: string;
  generate<S extends z.ZodType | undefined = undefined>(
    req: GenerateRequest<S>,
  ): Promise<GenerateResult<S extends z.ZodType ? z.output<S> : undefined>>;
}

/** JSON Schema for a zod schema, as Gemini's `parametersJsonSchema` / `responseJsonSchema` take it. */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

/** Parses and validates JSON text against the schema; anything else is an `invalid_output` error. */
export function parseJsonOutput<S extends z.ZodType>(schema: S, text: string | null, details: AiProviderError["details"] = {}): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse((text ?? "").trim());
  } catch {
    throw new AiProviderError("invalid_output", "The model's answer is not valid JSON", { ...details, rawText: text ?? "" });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AiProviderError("invalid_output", `The model's JSON does not match the schema (${issue?.path.join(".") || "root"}: ${issue?.message})`, {
      ...details,
      rawText: text ?? "",
    });
  }
  return parsed.data;
}

let cached: { key: string; provider: AiProvider } | undefined;

/** Gemini when GEMINI_API_KEY is set, else the offline provider (integrations().ai). */
export async function getAiProvider(): Promise<AiProvider> {
  const which = integrations().ai;
  if (cached?.key === which) return cached.provider;
  const provider: AiProvider =
    which === "gemini" ? (await import("./gemini-provider")).createGeminiProvider() : (await import("./offline-provider")).offlineProvider;
  cached = { key: which, provider };
  return provider;
}

/** Tests switch providers between files. */
export function resetAiProvider() {
  cached = undefined;
}
