import type { ObjectId } from "mongodb";
import { escapeKeys } from "@/lib/db/safe-keys";
import { scoped } from "@/lib/db/scoped";
import type { MessageDoc } from "@/lib/schemas/message";
import { searchTokens } from "@/lib/search/tokens";
import { derivedId } from "./accounts";
import { mediaTypes, toMetaError, type InboundMessage, type WaError } from "./envelope";

type MediaType = (typeof mediaTypes)[number];
const isMediaType = (t: string): t is MediaType => (mediaTypes as readonly string[]).includes(t);

/** Types that change an earlier message instead of adding one to the thread. */
export const mutationTypes = ["reaction", "edit", "revoke"] as const;
export function isMutation(m: InboundMessage) {
  return (mutationTypes as readonly string[]).includes(m.type);
}

export function inboundMessageId(orgId: ObjectId, wamid: string) {
  return derivedId(orgId, `wa:${wamid}`);
}

/** Display and search text of an inbound message (body, caption, chosen button, place...). */
export function messageText(m: InboundMessage): string | null {
  switch (m.type) {
    case "text":
      return m.text?.body ?? null;
    case "location": {
      const l = m.location;
      if (!l) return null;
      return [l.name, l.address].filter(Boolean).join(", ") || `${l.latitude}, ${l.longitude}`;
    }
    case "contacts":
      return (m.contacts ?? []).map((c) => ((c.name as { formatted_name?: string } | undefined)?.formatted_name ?? "")).filter(Boolean).join(", ") || null;
    case "interactive": {
      const i = m.interactive;
      return i?.button_reply?.title ?? i?.list_reply?.title ?? i?.nfm_reply?.body ?? null;
    }
    case "button":
      return m.button?.text ?? m.button?.payload ?? null;
    case "order": {
      const items = m.order?.product_items?.length ?? 0;
      return m.order?.text || `Order: ${items} item${items === 1 ? "" : "s"}`;
    }
    case "system":
      return m.system?.body ?? null;
    default:
      return isMediaType(m.type) ? (m[m.type]?.caption ?? null) : null;
  }
}

const labels: Record<string, string> = {
  image: "Photo", video: "Video", audio: "Audio", sticker: "Sticker", document: "Document", location: "Location",
  contacts: "Contact card", interactive: "Reply", button: "Button reply", order: "Order", unsupported: "Unsupported message",
};

/** The inbox list preview: the text, else what kind of message it is. */
export function previewOf(d: Pick<MessageDoc, "type" | "text" | "media">): string {
  if (d.text) return d.text.slice(0, 120);
  if (d.type === "audio" && d.media?.voice) return "Voice message";
  if (d.type === "document" && d.media?.filename) return d.media.filename.slice(0, 120);
  return labels[d.type] ?? d.type;
}

function storedType(m: InboundMessage): MessageDoc["type"] {
  if (isMediaType(m.type)) return m.type;
  if (["text", "location", "contacts", "interactive", "button", "order", "system"].includes(m.type)) return m.type as MessageDoc["type"];
  return "unsupported";
}

/**
 * The stored form of a thread message. `payload` keeps the type's object as Meta sent it (plus ad
 * referral and product context), so nothing of the delivery is lost for the thread or for AI.
 */
export function toMessageDoc(
  m: InboundMessage,
  ids: { orgId: ObjectId; accountId: ObjectId; contactId: ObjectId; conversationId: ObjectId; replyToMessageId: ObjectId | null },
  valueErrors: WaError[] | undefined,
): Omit<MessageDoc, "orgId"> {
  const type = storedType(m);
  const text = messageText(m);
  const raw = (m as Record<string, unknown>)[m.type];
  const payload: Record<string, unknown> = {};
  if (!isMediaType(m.type) && m.type !== "text" && raw !== undefined) payload[m.type] = raw;
  if (m.type === "unsupported" && m.unsupported !== undefined) payload.unsupported = m.unsupported;
  if (type === "unsupported" && m.type !== "unsupported") payload.originalType = m.type;
  if (m.referral) payload.referral = m.referral;
  if (m.context?.referred_product) payload.referredProduct = m.context.referred_product;
  if (m.type === "system" && (m as { identity?: unknown }).identity) payload.identity = (m as { identity?: unknown }).identity;
  const media = isMediaType(m.type) ? m[m.type] : undefined;
  // Meta puts the reason for an unreadable message on the message, or on the value (e.g. 131000).
  const error = m.errors?.[0] ?? (type === "unsupported" || raw === undefined ? valueErrors?.[0] : undefined);
  const now = new Date();
  return {
    _id: inboundMessageId(ids.orgId, m.id),
    conversationId: ids.conversationId,
    contactId: ids.contactId,
    accountId: ids.accountId,
    key: `wa:${m.id}`,
    waMessageId: m.id,
    direction: "inbound",
    sender: type === "system" ? "system" : "customer",
    senderUserId: null,
    type,
    text,
    payload: Object.keys(payload).length ? escapeKeys(payload) : null,
    media: media
      ? {
          waMediaId: media.id,
          mimeType: media.mime_type ?? null,
          sha256: media.sha256 ?? null,
          filename: media.filename ?? null,
          caption: media.caption ?? null,
          size: null,
          fileId: null,
          download: "pending",
          downloadError: null,
          ...(media.voice !== undefined ? { voice: media.voice } : {}),
          ...(media.animated !== undefined ? { animated: media.animated } : {}),
        }
      : null,
    replyTo: m.context?.id ? { waMessageId: m.context.id, messageId: ids.replyToMessageId } : null,
    reactions: [],
    edited: null,
    revokedAt: null,
    forwarded: m.context?.frequently_forwarded ? "frequently" : m.context?.forwarded ? "forwarded" : "no",
    status: null,
    statusHistory: [],
    error: error ? toMetaError(error) : null,
    pricing: null,
    waConversation: null,
    sentAt: m.timestamp,
    searchTokens: searchTokens(text),
    createdAt: now,
    updatedAt: now,
  };
}

/** The stored id of a quoted message: inbound ids are derived; a quoted business message is looked up. */
export async function quotedMessageId(orgId: ObjectId, wamid: string): Promise<ObjectId | null> {
  const doc = await scoped(orgId)("messages").findOne({ waMessageId: wamid }, { projection: { _id: 1 } });
  return doc?._id ?? null;
}

type Reaction = MessageDoc["reactions"][number];

/**
 * One side's reaction on a message (a customer and the business each have one): the newest by the
 * reaction's own time wins, whatever order deliveries arrive or run in. Atomic updates with the
 * decision in their filters: the side's first reaction is added only while it has none, a later
 * one replaces it only if newer. An empty emoji is the side's removal and is kept as such, so an
 * older reaction delivered late does not come back. Returns false when the target is not stored.
 */
export async function setReaction(orgId: ObjectId, targetWamid: string, by: Reaction["by"], emoji: string, at: Date): Promise<boolean> {
  const messages = scoped(orgId)("messages");
  const updatedAt = new Date();
  const first = await messages.updateOne({ waMessageId: targetWamid, "reactions.by": { $ne: by } }, { $push: { reactions: { emoji, by, at } }, $set: { updatedAt } });
  if (first.matchedCount > 0) return true;
  const newer = await messages.updateOne(
    { waMessageId: targetWamid, reactions: { $elemMatch: { by, at: { $lte: at } } } },
    { $set: { "reactions.$[mine].emoji": emoji, "reactions.$[mine].at": at, updatedAt } },
    { arrayFilters: [{ "mine.by": by }] },
  );
  if (newer.matchedCount > 0) return true;
  // Neither matched: the side's stored reaction is newer, or there is no such message.
  return !!(await messages.findOne({ waMessageId: targetWamid }, { projection: { _id: 1 } }));
}

/**
 * Reactions, edits and revokes change the message they point at (the original is kept: an edit is
 * stored beside it, a revoke marks it). All three are idempotent, so a redelivery changes nothing.
 * Returns a note when the target is not stored (it is kept in the raw envelope for a replay).
 */
export async function applyMutation(orgId: ObjectId, m: InboundMessage): Promise<string | null> {
  const messages = scoped(orgId)("messages");
  const now = new Date();
  if (m.type === "reaction" && m.reaction) {
    const stored = await setReaction(orgId, m.reaction.message_id, "customer", m.reaction.emoji ?? "", m.timestamp);
    return stored ? null : `reaction ${m.id}: target ${m.reaction.message_id} is not stored`;
  }
  if (m.type === "edit" && m.edit) {
    const edited = m.edit.message as Partial<InboundMessage> | undefined;
    const text = edited ? messageText({ ...(edited as InboundMessage), type: edited.type ?? "text" }) : null;
    const res = await messages.updateOne({ key: `wa:${m.edit.original_message_id}` }, { $set: { edited: { text, at: m.timestamp }, updatedAt: now } });
    return res.matchedCount ? null : `edit ${m.id}: original ${m.edit.original_message_id} is not stored`;
  }
  if (m.type === "revoke" && m.revoke) {
    const res = await messages.updateOne({ key: `wa:${m.revoke.original_message_id}` }, { $set: { revokedAt: m.timestamp, updatedAt: now } });
    return res.matchedCount ? null : `revoke ${m.id}: original ${m.revoke.original_message_id} is not stored`;
  }
  return `${m.type} ${m.id}: missing its ${m.type} object`;
}
