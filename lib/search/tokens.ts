/**
 * Portable indexed search ($text and Atlas Search are not on the local engine): documents carry lowercased tokens
 * plus their prefixes (3+ chars), and a query matches documents whose tokens include every query
 * token (`{ searchTokens: { $all: queryTokens(q) } }`) through a multikey index.
 */
const MAX_PREFIX = 12;
const MAX_TOKENS = 200;

function words(text: string): string[] {
  return text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .split(/[^\p{L}\p{N}@]+/u)
    .filter((w) => w.length >= 2);
}

export function searchTokens(...texts: (string | null | undefined)[]): string[] {
  const out = new Set<string>();
  for (const text of texts) {
    if (!text) continue;
    for (const w of words(text)) {
      if (out.size >= MAX_TOKENS) break;
      out.add(w);
      for (let i = 3; i < Math.min(w.length, MAX_PREFIX); i++) out.add(w.slice(0, i));
    }
  }
  return [...out];
}

/** Query tokens; phone-like input keeps its digits as one token, which matches a stored phone's prefixes. */
export function queryTokens(q: string): string[] {
  const digits = q.replace(/[\s()+-]/g, "");
  if (/^\d{3,}$/.test(digits)) return [digits.slice(0, MAX_PREFIX - 1)];
  return [...new Set(words(q).map((w) => w.slice(0, MAX_PREFIX - 1)))];
}
