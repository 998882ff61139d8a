import type { Usage } from "./provider";

/**
 * USD per 1M tokens (Gemini API paid tier, standard context, text), for the run log's cost column.
 * Matched by the longest model-name prefix so dated variants (`gemini-2.5-flash-preview-05-20`) price
 * like their family. Update when Google changes its price list: https://ai.google.dev/gemini-api/docs/pricing
 */
export const modelPrices: Record<string, { inputPerM: number; outputPerM: number }> = {
  "gemini-3-pro": { inputPerM: 2.0, outputPerM: 12.0 },
  "gemini-3-flash": { inputPerM: 0.5, outputPerM: 3.0 },
  "gemini-2.5-pro": { inputPerM: 1.25, outputPerM: 10.0 },
  "gemini-2.5-flash-lite": { inputPerM: 0.1, outputPerM: 0.4 },
  "gemini-2.5-flash": { inputPerM: 0.3, outputPerM: 2.5 },
  "gemini-2.0-flash-lite": { inputPerM: 0.075, outputPerM: 0.3 },
  "gemini-2.0-flash": { inputPerM: 0.1, outputPerM: 0.4 },
  "offline-ai": { inputPerM: 0, outputPerM: 0 },
};

export function priceOf(model: string) {
  const key = Object.keys(modelPrices)
    .filter((k) => model.startsWith(k))
    .sort((a, b) => b.length - a.length)[0];
  return key ? modelPrices[key]! : null;
}

/** Unknown models cost 0 in the log rather than a guess; the run log shows the model name. */
export function costUsd(model: string, usage: Usage): number {
  const p = priceOf(model);
  if (!p) return 0;
  return (usage.promptTokens * p.inputPerM + usage.completionTokens * p.outputPerM) / 1_000_000;
}
