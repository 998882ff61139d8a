import type { ObjectId, WithId } from "mongodb";
import { scoped } from "@/lib/db/scoped";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import type { MessageDoc } from "@/lib/schemas/message";
import type { SettingsValues } from "@/lib/schemas/settings";
import { describeBusinessHours } from "./business-hours";
import { rankArticles, type RankedArticle } from "./knowledge";
import { knowledgeBlock, transcriptBlock, type speakerLabel } from "./prompt-format";
import { getSettings } from "@/lib/settings/settings";
import { readMedia } from "@/lib/whatsapp/media-store";
import type { InputPart } from "./provider";

/** How much of the thread the model sees: enough for context, bounded for cost and latency. */
export const CONTEXT_MESSAGES = 20;
/**
 * Photos of the customer's latest burst the model sees (a broken product, a receipt, a screenshot):
 * the newest few, in formats Gemini reads inline, small enough for an inline request part.
 */
export const CONTEXT_IMAGES = 3;
export const MAX_CONTEXT_IMAGE_BYTES = 4 * 1024 * 1024;
const MODEL_IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"]);

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
  /** The burst's photos already downloaded from Meta, oldest first (see CONTEXT_IMAGES). */
  images: Extract<InputPart, { type: "image" }>[];
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
      .find({ conversationId: conversation._id }, { sort: { sentAt: -1, _id: -1 }, limit: CONTEXT_MESSAGES }).toArray(),
    db("contacts").findOne({ _id: conversation.contactId }),
    getSettings(orgId),
  ]);
  const thread = recent.reverse();
  const transcript = transcriptOf(thread);
  const latestCustomerText = latestCustomerBurst(transcript);
  const [knowledge, images] = await Promise.all([
    rankArticles(orgId, latestCustomerText || transcript.filter((l) => l.speaker === "customer").at(-1)?.text || ""),
    burstImages(orgId, thread),
  ]);
  const prompt = renderContext({ transcript, contact, conversation, knowledge, settings, now });
  return { prompt, knowledge, latestCustomerText, images };
}

/**
 * The photos among the customer's latest messages (since the last answer), as inline image parts.
 * One whose bytes are not downloaded yet, too large, or in another format stays a "[image]" line
 * of the transcript only.
 */
async function burstImages(orgId: ObjectId, thread: MessageDoc[]): Promise<ConversationContext["images"]> {
  const burst: MessageDoc[] = [];
  for (let i = thread.length - 1; i >= 0; i--) {
    const m = thread[i]!;
    if (m.type === "system" || m.type === "note" || m.type === "reaction") continue;
    if (m.sender !== "customer") break;
    burst.unshift(m);
  }
  const photos = burst
    .filter((m) => (m.type === "image" || m.type === "sticker") && !m.revokedAt && m.media?.download === "done" && m.media.fileId)
    .filter((m) => MODEL_IMAGE_TYPES.has(m.media!.mimeType ?? "") && (m.media!.size ?? 0) <= MAX_CONTEXT_IMAGE_BYTES)
    .slice(-CONTEXT_IMAGES);
  const files = await Promise.all(photos.map((m) => readMedia(orgId, m.media!.fileId!)));
  return files.flatMap((f) => (f && f.length <= MAX_CONTEXT_IMAGE_BYTES ? [{ type: "image" as const, mimeType: f.meta.mimeType, base64: f.bytes.toString("base64") }] : []));
}
