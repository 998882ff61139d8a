/**
 * Deterministic reading of a customer's words, used by the guardrails in code (before and after
 * the model) and by the offline provider. English and Spanish, the languages of the seed data.
 */
const humanPatterns = [
  /\b(talk|speak|chat|connect|transfer|put)\b[^.?!]{0,30}\b(human|person|people|agent|someone|somebody|representative|rep|operator|staff|manager)\b/i,
  /\b(real|live|actual)\s+(person|human|agent|people)\b/i,
  /\b(human|person|agent|representative|operator)\s+(please|pls|now)\b/i,
  /^\s*(human|agent|person|representative|operator)[\s.!?]*$/i,
  /\b(hablar|comunicarme|pasame|pásame)\b[^.?!]{0,30}\b(persona|humano|agente|alguien|asesor)\b/i,
  /\b(una persona|un humano|un agente|persona real)\b/i,
];

export function asksForHuman(text: string): boolean {
  return humanPatterns.some((p) => p.test(text));
}

const negative: Record<string, number> = {
  terrible: 2, awful: 2, horrible: 2, worst: 3, useless: 2, ridiculous: 2, unacceptable: 3, disgusting: 3, scam: 3, fraud: 3,
  furious: 3, angry: 2, hate: 2, pathetic: 3, incompetent: 3, lawyer: 3, sue: 3, refund: 1, broken: 1, never: 1, disappointed: 2,
  bad: 1, wrong: 1, late: 1, complaint: 2, cancel: 1, stupid: 3, joke: 1, waste: 2, liar: 3, lied: 3, shit: 3, fuck: 3, fucking: 3, damn: 2, crap: 2,
  pésimo: 3, pesimo: 3, estafa: 3, fraude: 3, enojado: 2, furioso: 3, inaceptable: 3, basura: 3, malo: 1, demanda: 3,
};
const positive: Record<string, number> = {
  thanks: 1, thank: 1, great: 2, awesome: 2, perfect: 2, love: 2, excellent: 2, good: 1, happy: 2, amazing: 2, helpful: 2,
  gracias: 1, genial: 2, perfecto: 2, excelente: 2, bueno: 1,
};

/** -1 (furious) .. 1 (delighted); shouting and repeated exclamation marks sharpen a negative message. */
export function sentimentScore(text: string): number {
  const words = text.toLowerCase().normalize("NFC").split(/[^\p{L}']+/u).filter(Boolean);
  let neg = 0;
  let pos = 0;
  for (const w of words) {
    neg += negative[w] ?? 0;
    pos += positive[w] ?? 0;
  }
  const letters = text.replace(/[^A-Za-z]/g, "");
  if (neg > 0 && letters.length >= 8 && letters === letters.toUpperCase()) neg += 2;
  if (neg > 0 && /!{2,}/.test(text)) neg += 1;
  if (neg === 0 && pos === 0) return 0;
  return Math.max(-1, Math.min(1, (pos - neg) / Math.max(4, pos + neg)));
}

/** The threshold both the code guardrail and the model's reported sentiment are held to. */
export const STRONGLY_NEGATIVE = -0.6;

export function isStronglyNegative(text: string): boolean {
  return sentimentScore(text) <= STRONGLY_NEGATIVE;
}

const buyingPatterns = [
  /\b(how much|what(?:'s| is) the (?:price|cost)|price|prices|pricing|quote|buy|purchase|checkout|pay|payment|discount|in stock|demo|trial|subscribe|upgrade)\b/i,
  /\b(cu[aá]nto (?:cuesta|vale|sale)|precio|precios|cotizaci[oó]n|comprar|compra|pagar|descuento)\b/i,
];

/** The words of a customer message that show buying intent ("how much", "precio"), or null: the scoring's quoted evidence. */
export function buyingIntentPhrase(text: string): string | null {
  for (const p of buyingPatterns) {
    const m = p.exec(text);
    if (m) return m[0];
  }
  return null;
}

/** AI analysis labels (snake_case, e.g. `pricing_question`) that name buying intent. */
const buyingLabelWords = new Set(["buy", "buying", "purchase", "pricing", "price", "quote", "demo", "trial", "subscribe", "subscription", "upgrade", "checkout", "sales", "compra", "precio"]);

export function isBuyingIntentLabel(label: string): boolean {
  return label.toLowerCase().split(/[^a-z\u00c0-\u024f]+/).some((w) => buyingLabelWords.has(w));
}
