import type { ObjectId, WithId } from "mongodb";
import { scoped } from "@/lib/db/scoped";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import type { MessageDoc } from "@/lib/schemas/message";
import type { SettingsValues } from "@/lib/schemas/settings";
import { describeBusinessHours } from "./business-hours";
import { rankArticles, type RankedArticle } from "./knowledge";
import { knowledgeBlock, transcriptBlock, type speakerLabel } from "./prompt-format";
import { getSettings } from "@/lib/db/settings";

/** How much of the thread the model sees: enough for context, bounded for cost and latency. */
export const CONTEXT_MESSAGES = 20;

export type TranscriptLine = { speaker: keyof typeof speakerLabel; text: string };

/** What a message says, for the transcript (media and structured messages as a short description). */
export function describeMessage(m: Pick<MessageDoc, "type" | "text" | "media" | "revokedAt">): string {
  if (m.revokedAt) return "[deleted message]";
  if (m.type === "text" || m.type === "system") return m.text ?? "";
  const detail = m.media?.caption ?? m.text ?? m.media?.filename ?? "";
  return `[${m.type}${detail ? `: ${detail}` : ""}]`;
}

export function transcriptOf(messages: Pick<MessageDoc, "type" | "text" | "media" | "revokedAt" | "sender">[]): TranscriptLine[] {
  return messages
    .filter((m) => m.type !== "note" && m.type !== "reaction")
    .map((m) => ({ speaker: m.sender, text: describeMessage(m) }));
}

export type ConversationContext = {
  prompt: string;
  knowledge: RankedArticle[];
  /** The customer's latest consecutive messages (the burst the answer addresses). */
  latestCustomerText: string;
};

/** The one user turn the conversation agent sees: business hours, customer, knowledge, transcript. */
export function renderContext(input: {
  transcript: TranscriptLine[];
  contact: Pick<ContactDoc, "name" | "profileName" | "email" | "company" | "tags" | "phone"> | null;
  conversation: Pick<ConversationDoc, "tags" | "priority"> | null;
  knowledge: RankedArticle[];
  settings: SettingsValues;
  now: Date;
}): string {
  const c = input.contact;
  const customer = c
    ? `Name: ${c.name ?? c.profileName ?? "unknown"}; email: ${c.email ?? "unknown"}; company: ${c.company ?? "unknown"}; tags: ${c.tags.join(", ") || "none"}`
    : "Unknown customer";
  return [
    `## Business hours\n${describeBusinessHours(input.settings.businessHours, input.now)}`,
    `## Customer\n${customer}${input.conversation ? `\nConversation priority: ${input.conversation.priority}; tags: ${input.conversation.tags.join(", ") || "none"}` : ""}`,
    knowledgeBlock(input.knowledge),
    transcriptBlock(input.transcript),
    "Decide the next step for the customer's latest message(s) using the tools.",
  ].join("\n\n");
}

/**
 * The customer's messages since the last AI or agent answer. System lines (assignments, the AI
 * switch...) are not turns: they are skipped, also because Meta's timestamps have whole seconds
 * and can sort a customer message before a system line written in the same second.
 */
export function latestCustomerBurst(transcript: TranscriptLine[]): string {
  const out: string[] = [];
  for (let i = transcript.length - 1; i >= 0; i--) {
    const line = transcript[i]!;
    if (line.speaker === "system") continue;
    if (line.speaker !== "customer") break;
    out.unshift(line.text);
  }
  return out.join("\n");
}

/** Loads the recent thread, the contact, settings and the best knowledge articles for the latest burst. */
export async function buildConversationContext(orgId: ObjectId, conversation: WithId<ConversationDoc>, now = new Date()): Promise<ConversationContext> {
  const db = scoped(orgId);
  const [recent, contact, settings] = await Promise.all([
    db("messages")
      .find({ conversationId: conversation._id }, { sort: { sentAt: -1, _id: -1 }, limit: CONTEXT_MESSAGES })
      .then((c) => c.toArray()),
    db("contacts").findOne({ _id: conversation.contactId }),
    getSettings(orgId),
  ]);
  const transcript = transcriptOf(recent.reverse());
  const latestCustomerText = latestCustomerBurst(transcript);
  const knowledge = await rankArticles(orgId, latestCustomerText || transcript.filter((l) => l.speaker === "customer").at(-1)?.text || "");
  const prompt = renderContext({ transcript, contact, conversation, knowledge, settings, now });
  return { prompt, knowledge, latestCustomerText };
}
