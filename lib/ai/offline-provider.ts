import type { z } from "zod";
import { keywordsOf } from "./knowledge";
import { allCustomerLines, latestCustomerLines, parseKnowledgeBlock, parseTemplateBlock } from "./prompt-format";
import { jsonSchemaOf, parseJsonOutput, type AiProvider, type FunctionCall, type GenerateRequest, type GenerateResult, type ProviderMessage } from "./provider";
import { asksForHuman, isStronglyNegative, sentimentScore } from "./signals";

/**
 * The deterministic stand-in model used when no GEMINI_API_KEY is set, so the product demonstrates
 * AI replies with no key. It reads the same prompt a model would (knowledge base block + transcript),
 * answers from the best-matching article by keyword overlap, hands over when the customer asks for
 * a person or is upset, and emits function calls and JSON in the same shapes as Gemini, so the
 * agents run the same code path. What it writes for agents (summaries, handover reasons, checks) is
 * labelled "offline AI"; what it writes to customers is not (the stored message names its provider).
 */
export const OFFLINE_MODEL = "offline-ai";
export const OFFLINE_LABEL = "[offline AI]";

type Raw = { role: "model"; offline: true; functionCalls: FunctionCall[]; text: string | null };

export const offlineProvider: AiProvider = {
  name: "offline",
  defaultModel: OFFLINE_MODEL,
  async generate<S extends z.ZodType | undefined = undefined>(req: GenerateRequest<S>) {
    const started = Date.now();
    const prompt = [req.system, ...req.messages.map(messageText)].join("\n");
    const toolNames = new Set(req.tools?.map((t) => t.name));
    let text: string | null = null;
    let functionCalls: FunctionCall[] = [];
    if (req.responseSchema) text = JSON.stringify(fillSchema(jsonSchemaOf(req.responseSchema), "", prompt));
    else if (toolNames.size) functionCalls = decide(prompt, toolNames, req.messages.at(-1)?.role === "tool");
    else text = `${OFFLINE_LABEL} ${answer(prompt).text}`;

    const usage = { promptTokens: Math.ceil(prompt.length / 4), completionTokens: Math.ceil((text ?? JSON.stringify(functionCalls)).length / 4) };
    const latencyMs = Date.now() - started;
    const json = req.responseSchema ? parseJsonOutput(req.responseSchema, text, { usage, latencyMs, attempts: 1 }) : undefined;
    const rawContent: Raw = { role: "model", offline: true, functionCalls, text };
    return { provider: "offline", model: OFFLINE_MODEL, text, json, functionCalls, usage, latencyMs, costUsd: 0, rawContent, attempts: 1 } as GenerateResult<
      S extends z.ZodType ? z.output<S> : undefined
    >;
  },
};

function messageText(m: ProviderMessage): string {
  if (m.role === "user") return m.parts.map((p) => (p.type === "text" ? p.text : "")).join("\n");
  return "";
}

/**
 * The best knowledge-base sentences for the customer's latest words, with a confidence. An article
 * answers only when it is about the question: several of the question's terms, one of them in its
 * title, or a title term covering half the question. One shared word ("item" in "is this item in
 * stock?" and the returns policy) is no match, so the confidence stays low and the agent's
 * threshold hands over, as it does for a real model that is unsure.
 */
function answer(prompt: string): { text: string; confidence: number } {
  const latest = latestCustomerLines(prompt).join(" ") || allCustomerLines(prompt).at(-1) || "";
  const wanted = new Set(keywordsOf(latest));
  const articles = parseKnowledgeBlock(prompt);
  let best: { body: string; title: string; score: number; overlap: number } | null = null;
  for (const a of articles) {
    const overlap = keywordsOf(a.title, a.body).filter((k) => wanted.has(k)).length;
    const titleHits = keywordsOf(a.title).filter((k) => wanted.has(k)).length;
    const coverage = wanted.size ? overlap / wanted.size : 0;
    const relevant = overlap >= 3 || (titleHits >= 1 && (overlap >= 2 || coverage >= 0.5));
    const score = overlap + titleHits;
    if (relevant && (!best || score > best.score)) best = { ...a, score, overlap };
  }
  if (best) {
    const sentences = best.body.split(/(?<=[.!?])\s+/).filter(Boolean);
    const ranked = sentences
      .map((s, i) => ({ s, i, score: keywordsOf(s).filter((k) => wanted.has(k)).length }))
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .slice(0, 2)
      .sort((a, b) => a.i - b.i)
      .map((x) => x.s);
    return { text: ranked.join(" "), confidence: Math.min(0.95, 0.6 + 0.1 * best.overlap) };
  }
  if (/^\s*(hi|hello|hey|hola|good (morning|afternoon|evening))\b/i.test(latest) && latest.split(/\s+/).length <= 4) {
    return { text: "Hello! How can I help you today?", confidence: 0.9 };
  }
  return { text: "I am not sure about that one.", confidence: 0.2 };
}

function decide(prompt: string, tools: Set<string>, afterToolResults: boolean): FunctionCall[] {
  const latest = latestCustomerLines(prompt).join(" ");
  const sentiment = Math.round(sentimentScore(latest) * 100) / 100;
  const calls: FunctionCall[] = [];
  const email = /[\w.+-]+@[\w-]+(\.[\w-]+)+/.exec(latest)?.[0];
  if (!afterToolResults && email && tools.has("update_contact")) calls.push({ name: "update_contact", args: { email: email.toLowerCase() } });

  if (asksForHuman(latest) && tools.has("handover_to_human")) {
    return [...calls, { name: "handover_to_human", args: { reason: `${OFFLINE_LABEL} the customer asked for a person` } }];
  }
  if (isStronglyNegative(latest) && tools.has("handover_to_human")) {
    return [...calls, { name: "handover_to_human", args: { reason: `${OFFLINE_LABEL} the customer is upset` } }];
  }
  const a = answer(prompt);
  if (a.confidence < 0.5 && latest.trim().split(/\s+/).length <= 3 && tools.has("ask_clarifying_question")) {
    return [...calls, { name: "ask_clarifying_question", args: { question: "Could you tell me a bit more about what you need?", confidence: 0.7, sentiment } }];
  }
  // What reaches the customer carries no label: the message records its provider and the inbox shows the badge.
  return [...calls, { name: "reply", args: { text: a.text, confidence: a.confidence, sentiment } }];
}

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
};

/** Fills a JSON schema from the transcript, by field name: a deterministic analyst. */
function fillSchema(schema: JsonSchema, name: string, prompt: string): unknown {
  if (schema.anyOf) return fillSchema(schema.anyOf.find((s) => s.type !== "null") ?? schema.anyOf[0]!, name, prompt);
  // The analysis agent's journey stage (lib/ai/analysis-agent.ts): a keyword reading of what the customer wrote.
  if (name === "stage" && schema.enum) {
    const { stage } = journeyStageOf(allCustomerLines(prompt).join(" "));
    return schema.enum.includes(stage) ? stage : schema.enum[0];
  }
  if (name === "reason") return `${OFFLINE_LABEL} ${journeyStageOf(allCustomerLines(prompt).join(" ")).reason}`;
  if (schema.enum) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  const customer = allCustomerLines(prompt).join(" ");
  const sentiment = Math.round(sentimentScore(customer) * 100) / 100;
  const key = name.toLowerCase();
  if (type === "object") {
    return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, fillSchema(s, k, prompt)]));
  }
  if (type === "number" || type === "integer") {
    const clamp = (v: number) => Math.min(schema.maximum ?? Infinity, Math.max(schema.minimum ?? -Infinity, v));
    if (key.includes("sentiment")) return clamp(sentiment);
    if (key.includes("satisfaction")) return clamp(Math.round(3 + 2 * sentiment));
    if (key.includes("confidence")) return clamp(0.6);
    return clamp(schema.minimum ?? 0);
  }
  // The template category check (lib/templates/category-check.ts): a keyword reading of the template's own words.
  if (type === "boolean") return key.includes("marketing") ? marketingCues(parseTemplateBlock(prompt) ?? "").length > 0 : false;
  if (type === "array") {
    const count = Math.max(schema.minItems ?? 1, Math.min(schema.maxItems ?? 3, 3));
    let values: string[];
    if (key.includes("intent")) values = intentsOf(customer);
    else if (key.includes("topic")) values = topicsOf(customer);
    else values = drafts(prompt, count);
    while (values.length < (schema.minItems ?? 0)) values.push(values.at(-1) ?? "general");
    return values.slice(0, schema.maxItems ?? values.length);
  }
  if (key.includes("marketing")) {
    const cues = marketingCues(parseTemplateBlock(prompt) ?? "");
    return cues.length
      ? `${OFFLINE_LABEL} The text uses promotional wording (${cues.map((c) => `"${c}"`).join(", ")}), which Meta treats as marketing.`
      : `${OFFLINE_LABEL} No promotional wording found; the text reads as a transactional update.`;
  }
  if (key.includes("summary")) {
    const topics = topicsOf(customer);
    const mood = sentiment < -0.2 ? "negative" : sentiment > 0.2 ? "positive" : "neutral";
    const last = allCustomerLines(prompt).at(-1) ?? "";
    return `${OFFLINE_LABEL} The customer wrote about ${topics.join(", ") || "a general question"}; tone ${mood}. Latest message: "${last.slice(0, 140)}"`;
  }
  return `${OFFLINE_LABEL} ${answer(prompt).text}`;
}

/** Promotional wording Meta's category review looks for (Meta, "Template categorization"): each phrase found, once. */
const MARKETING_CUES = [
  /\b\d{1,3}\s?%\s?(?:off|discount)\b/i,
  /\bdiscounts?\b/i,
  /\b(?:on )?sale\b/i,
  /\b(?:special |exclusive )?offers?\b/i,
  /\b(?:buy|shop) now\b/i,
  /\blimited[- ]time\b/i,
  /\bpromo(?:tion|tional)?(?: code)?\b/i,
  /\bcoupons?\b/i,
  /\bdeals?\b/i,
  /\bfree shipping\b/i,
  /\bdon'?t miss\b/i,
  /\blast chance\b/i,
  /\b(?:today only|only today)\b/i,
  /\bsave (?:up to|\d+)/i,
  /\bnew arrivals?\b/i,
  /\b(?:descuentos?|ofertas?|rebajas|promoci[oó]n)\b/i,
];

function marketingCues(text: string): string[] {
  return [...new Set(MARKETING_CUES.flatMap((re) => re.exec(text)?.[0].toLowerCase() ?? []))];
}

/** The journey stage a customer's words point to, latest stage first, with the words that show it. */
function journeyStageOf(text: string): { stage: string; reason: string } {
  const rules: [RegExp, string, string][] = [
    [/\b(refund|return|warranty|broken|reorder|again|another one)\b/i, "retention", "is a customer back after buying"],
    [/\b(paid|payment|bought|ordered|checkout|invoice|receipt|pagar|pagué|compré)\b/i, "purchase", "is ordering or paying"],
    [/\b(price|prices|cost|how much|quote|discount|compare|pricing|plan|precio)\b/i, "consideration", "is asking about prices or terms"],
    [/\b(do you (?:have|sell|ship)|available|in stock|catalog|catalogue|ship to|tell me more)\b/i, "interest", "is asking about the products"],
  ];
  for (const [re, stage, why] of rules) {
    const m = re.exec(text);
    if (m) return { stage, reason: `The customer ${why} (“${m[0]}”).` };
  }
  return { stage: "awareness", reason: "The customer has made first contact without a product question." };
}

function intentsOf(text: string): string[] {
  const rules: [RegExp, string][] = [
    [/\b(price|cost|how much|plan|pricing|precio)\b/i, "pricing_question"],
    [/\b(ship|shipping|deliver|delivery|arriv|track|envío|envio)/i, "shipping_inquiry"],
    [/\b(refund|return|money back|reembolso|devoluci)/i, "refund_request"],
    [/\b(order|pedido|purchase|buy|comprar)\b/i, "order_status"],
    [/\b(broken|not working|error|bug|problem|issue|falla)\b/i, "support_issue"],
  ];
  const out = rules.filter(([re]) => re.test(text)).map(([, v]) => v);
  if (asksForHuman(text)) out.push("human_request");
  if (isStronglyNegative(text)) out.push("complaint");
  return out.length ? out : ["general_inquiry"];
}

function topicsOf(text: string): string[] {
  const counts = new Map<string, number>();
  for (const k of keywordsOf(text)) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k]) => k);
}

function drafts(prompt: string, count: number): string[] {
  const a = answer(prompt);
  const base = [
    a.confidence >= 0.5 ? a.text : "Thanks for your message! Let me check that for you.",
    "Thanks for reaching out! Could you share your order number so I can look into it?",
    "I understand. I'm checking this with the team and will get back to you shortly.",
  ];
  return base.slice(0, count);
}
