import type { ObjectId } from "mongodb";
import { scheduleAiReply } from "@/lib/ai/ai-reply-job";
import { scheduleAutomationEvent } from "@/lib/automation/emit";
import { enqueue } from "@/lib/jobs/enqueue";
import { scheduleLeadScore } from "@/lib/scoring/score-contact-job";
import { emitEvents, type EventInput } from "@/lib/outbound-webhooks/emit";
import type { DeliveryStatus, MessageDoc } from "@/lib/schemas/message";
import type { ConsentChange } from "./consent";

export type IngestedMessage = {
  messageId: ObjectId;
  conversationId: ObjectId;
  contactId: ObjectId;
  waMessageId: string;
  type: MessageDoc["type"];
  sender: MessageDoc["sender"];
  sentAt: Date;
  /** Plain text (body, caption, button title): the `message.received` outbound webhook carries it. */
  text: string | null;
  /** An inbound image/audio/video/document/sticker whose bytes are still at Meta. */
  hasMedia: boolean;
};

export type FollowUps = {
  orgId: ObjectId;
  /**
   * Thread messages this delivery stored, plus those a delivery of the last few minutes stored
   * before failing to answer (Meta's retry must not lose their follow-ups; the deduplication ids
   * keep them from running twice).
   */
  messages: IngestedMessage[];
  /** Consent keywords (STOP, BAJA...) whose confirmation must reach the customer once. */
  consent: { conversationId: ObjectId; contactId: ObjectId; waMessageId: string; change: ConsentChange }[];
  /** Customer messages from contacts with a recent campaign message (their `lastCampaign` hint). */
  campaignReplies?: { recipientId: ObjectId; waMessageId: string; at: Date }[];
  /** Statuses that moved one of our messages up the ladder (the `message.status` outbound webhook). */
  statuses?: StatusChange[];
  /** Other outbound webhook events the handling produced (a consent keyword's change), published with the rest. */
  events?: EventInput[];
};

export type StatusChange = { messageId: ObjectId; conversationId: ObjectId; waMessageId: string; status: DeliveryStatus; at: Date; error: { code: number; title: string | null } | null };

/**
 * THE hand-off point from ingestion to background work: everything slower than the writes the
 * inbox needs is enqueued here, each with a deduplication id, before the webhook answers 200.
 * Each job's owner adds its enqueue line.
 */
export async function scheduleFollowUps(f: FollowUps): Promise<void> {
  const org = f.orgId.toHexString();
  const pending: Promise<unknown>[] = [];
  for (const m of f.messages) {
    if (!m.hasMedia) continue;
    const messageId = m.messageId.toHexString();
    pending.push(enqueue("media-download", { orgId: org, messageId }, { deduplicationId: `media-download-${org}-${messageId}` }));
  }
  // AI reply: the latest customer message per conversation (a consent keyword gets its confirmation instead).
  const consentKeywords = new Set(f.consent.map((c) => c.waMessageId));
  const latestByConversation = new Map<string, IngestedMessage>();
  for (const m of f.messages) {
    if (m.sender !== "customer" || consentKeywords.has(m.waMessageId)) continue;
    const prev = latestByConversation.get(m.conversationId.toHexString());
    if (!prev || prev.sentAt <= m.sentAt) latestByConversation.set(m.conversationId.toHexString(), m);
  }
  for (const m of latestByConversation.values()) pending.push(scheduleAiReply(f.orgId, m.conversationId, m.messageId, m.sentAt));
  // Auto-assignment (INBOX): the job assigns only conversations that need a human (AI off for the org or the conversation).
  for (const m of latestByConversation.values()) {
    const conversationId = m.conversationId.toHexString();
    pending.push(enqueue("conversation-assign", { orgId: org, conversationId }, { deduplicationId: `conversation-assign-${org}-${m.messageId.toHexString()}` }));
  }
  // Lead scoring: one debounced rescore per customer who wrote (the job reads the stored events).
  const writers = new Map(f.messages.filter((m) => m.sender === "customer").map((m) => [m.contactId.toHexString(), m]));
  for (const m of writers.values()) pending.push(scheduleLeadScore(f.orgId, m.contactId, m.sentAt));
  // Automation: each customer message is an event (keywords, replies awaited, inactivity clocks).
  for (const m of f.messages) {
    if (m.sender !== "customer") continue;
    const event = { kind: "message", contactId: m.contactId.toHexString(), conversationId: m.conversationId.toHexString(), messageId: m.messageId.toHexString(), text: null, at: m.sentAt.toISOString() } as const;
    pending.push(scheduleAutomationEvent(f.orgId, event));
  }
  for (const c of f.consent) {
    pending.push(
      enqueue(
        "consent-confirmation",
        { orgId: org, conversationId: c.conversationId.toHexString(), waMessageId: c.waMessageId, change: c.change },
        { deduplicationId: `consent-confirmation-${org}-${c.waMessageId}` },
      ),
    );
  }
  for (const r of f.campaignReplies ?? []) {
    pending.push(
      enqueue("campaign-reply", { orgId: org, recipientId: r.recipientId.toHexString(), at: r.at.toISOString() }, { deduplicationId: `campaign-reply-${org}-${r.waMessageId}` }),
    );
  }
  pending.push(emitEvents(f.orgId, outboundEvents(f)));
  await Promise.all(pending);
}

/**
 * The outbound webhook events of a delivery, published as one job. Ids derive from the message
 * (and status), so a redelivered webhook reports the same events and the fan-out drops them.
 */
function outboundEvents(f: FollowUps): EventInput[] {
  const received: EventInput[] = f.messages
    .filter((m) => m.sender === "customer")
    .map((m) => ({
      id: `evt_msg_${m.messageId.toHexString()}`,
      type: "message.received",
      occurredAt: m.sentAt,
      data: { messageId: m.messageId.toHexString(), conversationId: m.conversationId.toHexString(), contactId: m.contactId.toHexString(), waMessageId: m.waMessageId, type: m.type, text: m.text, sentAt: m.sentAt.toISOString() },
    }));
  const statuses: EventInput[] = (f.statuses ?? []).map((s) => ({
    id: `evt_st_${s.messageId.toHexString()}_${s.status}`,
    type: "message.status",
    occurredAt: s.at,
    data: { messageId: s.messageId.toHexString(), conversationId: s.conversationId.toHexString(), waMessageId: s.waMessageId, status: s.status, at: s.at.toISOString(), error: s.error },
  }));
  return [...received, ...statuses, ...(f.events ?? [])];
}
