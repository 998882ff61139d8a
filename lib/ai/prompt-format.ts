/**
 * The textual layout of the context the agents send to the model. The offline provider reads the
 * same layout back (it is a deterministic stand-in for a model, so it only sees what a model sees).
 */
export const TRANSCRIPT_HEADER = "## Conversation (oldest first)";
export const KNOWLEDGE_HEADER = "## Knowledge base";
export const speakerLabel = { customer: "Customer", ai: "AI", agent: "Agent", system: "System" } as const;

export function knowledgeBlock(articles: { title: string; body: string }[]): string {
  if (!articles.length) return `${KNOWLEDGE_HEADER}\n(no matching articles)`;
  return [KNOWLEDGE_HEADER, ...articles.map((a, i) => `[KB:${i + 1}] ${a.title}\n${a.body.trim()}\n[/KB]`)].join("\n");
}

export function parseKnowledgeBlock(text: string): { title: string; body: string }[] {
  return [...text.matchAll(/\[KB:\d+\] ([^\n]*)\n([\s\S]*?)\n\[\/KB\]/g)].map((m) => ({ title: m[1]!, body: m[2]! }));
}

export function transcriptBlock(lines: { speaker: keyof typeof speakerLabel; text: string }[]): string {
  return [TRANSCRIPT_HEADER, ...lines.map((l) => `${speakerLabel[l.speaker]}: ${l.text.replace(/\n+/g, " ")}`)].join("\n");
}

/** The customer's latest consecutive lines (what the next answer must address). */
export function latestCustomerLines(text: string): string[] {
  const start = text.indexOf(TRANSCRIPT_HEADER);
  if (start < 0) return [];
  const lines = text.slice(start + TRANSCRIPT_HEADER.length).split("\n").filter((l) => /^\w+: /.test(l));
  const out: string[] = [];
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (line.startsWith(`${speakerLabel.system}: `)) continue;
    if (!line.startsWith(`${speakerLabel.customer}: `)) break;
    out.unshift(line.slice(speakerLabel.customer.length + 2));
  }
  return out;
}

/** Every customer line of the transcript. */
export function allCustomerLines(text: string): string[] {
  const start = text.indexOf(TRANSCRIPT_HEADER);
  if (start < 0) return [];
  return text
    .slice(start)
    .split("\n")
    .filter((l) => l.startsWith(`${speakerLabel.customer}: `))
    .map((l) => l.slice(speakerLabel.customer.length + 2));
}

export const TEMPLATE_HEADER = "## Message template";

/** A template's words as a block, so a reader (the offline provider) sees the template apart from the instructions around it. */
export function templateBlock(lines: string[]): string {
  return [TEMPLATE_HEADER, "[TEMPLATE]", ...lines, "[/TEMPLATE]"].join("\n");
}

export function parseTemplateBlock(text: string): string | null {
  return /\[TEMPLATE\]\n([\s\S]*?)\n\[\/TEMPLATE\]/.exec(text)?.[1] ?? null;
}
