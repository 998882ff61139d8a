import type { ObjectId } from "mongodb";
import { unescapeKeys } from "@/lib/db/safe-keys";
import { scoped } from "@/lib/db/scoped";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import type { ConversationResponse, MessageResponse } from "@/lib/schemas/inbox";
import type { MessageDoc } from "@/lib/schemas/message";

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** The API shape of a conversation: ids as strings, internal fields (liveKey, search tokens) left out. */
export function toConversationResponse(c: ConversationDoc): ConversationResponse {
  return {
    id: c._id.toHexString(),
    status: c.status,
    priority: c.priority,
    assigneeId: c.assigneeId?.toHexString() ?? null,
    tags: c.tags,
    contactId: c.contactId.toHexString(),
    accountId: c.accountId.toHexString(),
    contact: { name: c.contact.name, phone: c.contact.phone },
    lastMessage: c.lastMessage ? { ...c.lastMessage, at: c.lastMessage.at.toISOString() } : null,
    lastActivityAt: c.lastActivityAt.toISOString(),
    lastCustomerMessageAt: iso(c.lastCustomerMessageAt),
    unreadCount: c.unreadCount,
    snoozedUntil: iso(c.snoozedUntil),
    resolvedAt: iso(c.resolvedAt),
    ai: { enabled: c.ai.enabled, confidence: c.ai.confidence, handoverReason: c.ai.handoverReason },
    source: c.source && { ...c.source, referral: unescapeKeys(c.source.referral) },
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

type Quoted = Pick<MessageDoc, "_id" | "text" | "type" | "sender" | "waMessageId">;

export function toMessageResponse(m: MessageDoc, quoted?: Map<string, Quoted>): MessageResponse {
  const q = m.replyTo ? (m.replyTo.messageId ? quoted?.get(m.replyTo.messageId.toHexString()) : quoted?.get(m.replyTo.waMessageId)) : undefined;
  return {
    id: m._id.toHexString(),
    conversationId: m.conversationId.toHexString(),
    clientKey: m.direction === "outbound" && m.key.startsWith("out:") ? m.key.slice(4) : null,
    waMessageId: m.waMessageId,
    direction: m.direction,
    sender: m.sender,
    senderUserId: m.senderUserId?.toHexString() ?? null,
    type: m.type,
    text: m.text,
    payload: unescapeKeys(m.payload),
    media: m.media
      ? {
          fileId: m.media.fileId?.toHexString() ?? null,
          mimeType: m.media.mimeType,
          filename: m.media.filename,
          caption: m.media.caption,
          size: m.media.size,
          download: m.media.download,
          downloadError: m.media.downloadError,
          voice: m.media.voice ?? false,
        }
      : null,
    replyTo: m.replyTo
      ? {
          waMessageId: m.replyTo.waMessageId,
          messageId: (q?._id ?? m.replyTo.messageId)?.toHexString() ?? null,
          preview: q ? (q.text ?? `[${q.type}]`).slice(0, 160) : null,
          sender: q?.sender ?? null,
        }
      : null,
    reactions: m.reactions.filter((r) => r.emoji).map((r) => ({ emoji: r.emoji, by: r.by })),
    edited: m.edited ? { text: m.edited.text, at: m.edited.at.toISOString() } : null,
    revokedAt: iso(m.revokedAt),
    forwarded: m.forwarded,
    status: m.status,
    error: m.error,
    ...(m.ai ? { aiProvider: m.ai.provider } : {}),
    sentAt: m.sentAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

/**
 * Messages with the messages they quote, so reply quotes render without a second fetch: from the
 * same page when they are on it, else one query for the page.
 */
export async function toMessageResponses(orgId: ObjectId, messages: MessageDoc[]): Promise<MessageResponse[]> {
  const quoted = new Map<string, Quoted>();
  for (const m of messages) {
    quoted.set(m._id.toHexString(), m);
    if (m.waMessageId) quoted.set(m.waMessageId, m);
  }
  const ids = messages.flatMap((m) => (m.replyTo?.messageId && !quoted.has(m.replyTo.messageId.toHexString()) ? [m.replyTo.messageId] : []));
  const wamids = messages.flatMap((m) => (m.replyTo && !m.replyTo.messageId && !quoted.has(m.replyTo.waMessageId) ? [m.replyTo.waMessageId] : []));
  if (ids.length || wamids.length) {
    const or = [...(ids.length ? [{ _id: { $in: ids } }] : []), ...(wamids.length ? [{ waMessageId: { $in: wamids } }] : [])];
    const found = await scoped(orgId)("messages").find({ $or: or }, { projection: { _id: 1, text: 1, type: 1, sender: 1, waMessageId: 1 } }).toArray();
    for (const f of found as Quoted[]) {
      quoted.set(f._id.toHexString(), f);
      if (f.waMessageId) quoted.set(f.waMessageId, f);
    }
  }
  return messages.map((m) => toMessageResponse(m, quoted));
}
