import type { ObjectId } from "mongodb";
import { z } from "zod";
import { loadAgent } from "@/lib/ai/agents";
import { templateBlock } from "@/lib/ai/prompt-format";
import { AiProviderError, getAiProvider, type ProviderName } from "@/lib/ai/provider";
import { recordRun } from "@/lib/ai/run-log";
import { log } from "@/lib/log";
import type { TemplateDraft } from "@/lib/schemas/template";
import { examplesOf } from "./examples";
import { buttonsOf, renderTemplateText, type TemplateShape } from "./variables";

/**
 * Does a UTILITY template read as marketing? Since April 2025 Meta approves such a submission as
 * MARKETING instead of rejecting it (Meta, "Template categorization"), which changes what every
 * send costs, so the builder warns before it is submitted. A warning, never a refusal: the
 * model can be wrong and the business knows its message. Runs on the organization's content agent
 * (its model and on/off switch) through the one AI provider; offline, a keyword reading answers.
 */
export const categoryCheckOutput = z.object({
  readsAsMarketing: z.boolean().describe("true when Meta would likely categorise the template as MARKETING"),
  marketingReason: z.string().trim().min(1).max(500).describe("One sentence: why, quoting the words that decide it"),
});

const INSTRUCTION = [
  "You review WhatsApp message templates before a business submits them to Meta as UTILITY.",
  "Meta's rules: MARKETING is awareness, sales, promotions, offers, discounts, retargeting, app promotion or relationship building; mixed or unclear content counts as marketing.",
  "UTILITY must be non-promotional AND either about a specific transaction, account or request of the recipient, or essential information.",
  "Decide whether Meta would categorise the template as MARKETING. Return JSON only.",
].join(" ");

export type CategoryCheck = { checked: boolean; provider: ProviderName | null; warning: string | null };

const notChecked: CategoryCheck = { checked: false, provider: null, warning: null };

/** The template as the customer would read it, samples filled in: the model judges words, not placeholders. */
function templateLines(draft: TemplateDraft): string[] | null {
  const shape: TemplateShape = { components: draft.components, parameterFormat: draft.parameterFormat };
  const text = renderTemplateText(shape, examplesOf(shape));
  if (!text.body.trim()) return null;
  const labels = buttonsOf(shape.components).flatMap((b) => (b.text ? [`[button] ${b.text}`] : []));
  return [...(text.header ? [`Header: ${text.header}`] : []), `Body: ${text.body}`, ...(text.footer ? [`Footer: ${text.footer}`] : []), ...labels];
}

export async function checkTemplateCategory(orgId: ObjectId, draft: TemplateDraft): Promise<CategoryCheck> {
  if (draft.category !== "UTILITY") return notChecked;
  const lines = templateLines(draft);
  if (!lines) return notChecked;
  const agent = await loadAgent(orgId, "content");
  if (!agent.active) return notChecked;
  const provider = await getAiProvider();
  const model = agent.model || provider.defaultModel;
  const base = { agent, provider: provider.name, model, conversationId: null, turn: 1, reason: "template category check" };
  try {
    const res = await provider.generate({
      model,
      system: INSTRUCTION,
      messages: [{ role: "user", parts: [{ type: "text", text: `${templateBlock(lines)}\n\nWould Meta categorise this template as marketing?` }] }],
      // A classification: the same template should get the same answer.
      temperature: 0,
      maxOutputTokens: Math.min(agent.maxOutputTokens, 512),
      responseSchema: categoryCheckOutput,
      timeoutMs: 15_000,
    });
    await recordRun(orgId, { ...base, outcome: "analysed", usage: res.usage, latencyMs: res.latencyMs, costUsd: res.costUsd, output: res.text });
    return {
      checked: true,
      provider: provider.name,
      warning: res.json.readsAsMarketing
        ? `This may be approved as MARKETING, not UTILITY (Meta re-categorises promotional utility templates, and marketing prices apply). ${res.json.marketingReason}`
        : null,
    };
  } catch (err) {
    if (!(err instanceof AiProviderError)) throw err;
    // The check is advisory: the builder goes on without it.
    await recordRun(orgId, { ...base, outcome: "error", usage: err.details.usage, latencyMs: err.details.latencyMs, error: `${err.kind}: ${err.message}`, output: err.details.rawText ?? null });
    log.warn("templates.category_check_failed", { orgId: orgId.toHexString(), kind: err.kind });
    return { ...notChecked, provider: provider.name };
  }
}
