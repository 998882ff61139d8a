import { ObjectId } from "mongodb";
import { ApiError, isDuplicateKeyError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import { log } from "@/lib/log";
import { windowOpen, type ConversationDoc } from "@/lib/schemas/conversation";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { MessageDoc } from "@/lib/schemas/message";
import { searchTokens } from "@/lib/search/tokens";
import { setReaction } from "@/lib/webhook/messages";
import { applyOrphanStatuses } from "@/lib/webhook/statuses";
import { graphClientFor, type GraphClient, type SendResult } from "@/lib/whatsapp/graph-client";
import { GraphApiError } from "@/lib/whatsapp/graph-error";
import { assertInteractiveLimits, MAX_TEXT_LENGTH } from "@/lib/whatsapp/interactive-limits";
import { mediaProblem, type OutboundMediaType } from "@/lib/whatsapp/media-limits";
import { findMedia, readMedia } from "@/lib/whatsapp/media-store";

/**
 * The one way anything is sent to a customer (agents, AI, campaigns, system confirmations).
 * The message is stored as `pending` before Meta is called, so a crash in between leaves a visible
 * record, and a repeated idempotency key returns that record instead of sending twice.
 */
export type OutboundContent =
  | { type: "text"; text: string; previewUrl?: boolean }
  /** fileId = GridFS id from POST /api/media */
  | { type: OutboundMediaType; fileId: string; caption?: string; filename?: string }
  | { type: "template"; template: { name: string; language: string; components?: unknown[] } }
  | { type: "interactive"; interactive: Record<string, unknown> }
  /** targetMessageId: our message id (24 hex) or a wamid; an empty emoji removes the reaction. */
  | { type: "reaction"; targetMessageId: string; emoji: string };

export type SendInput = {
  conversationId: ObjectId;
  sender: "agent" | "ai" | "system";
  senderUserId?: ObjectId | null;
  idempotencyKey: string;
  content: OutboundContent;
  replyToMessageId?: ObjectId;
  bypassConsent?: boolean;
  ai?: MessageDoc["ai"];
};


type Prepared = {
  type: MessageDoc["type"];
  text: string | null;
  /** The `<type>` object of the Graph API request, kept on the message so a retry resends the same thing. */
  payload: Record<string, unknown>;
  media: MessageDoc["media"];
};

export async function sendMessage(orgId: ObjectId, input: SendInput): Promise<MessageDoc> {
  const db = scoped(orgId);
  const key = `out:${input.idempotencyKey}`;
  const existing = await db("messages").findOne({ key });
  if (existing) return existing;

  const { conversation, contact } = await loadConversation(orgId, input.conversationId);
  const prepared = await prepare(orgId, conversation.accountId, input.content);
  assertSendable(conversation, contact, prepared.type, input.bypassConsent ?? false);
  const replyTo = input.replyToMessageId ? await replyTarget(orgId, input.replyToMessageId) : null;

  const doc = outboundMessage({
    conversationId: conversation._id,
    contactId: contact._id,
    accountId: conversation.accountId,
    key,
    sender: input.sender,
    senderUserId: input.senderUserId ?? null,
    ...prepared,
    replyTo,
    ...(input.ai ? { ai: input.ai } : {}),
  });
  const message: MessageDoc = { ...doc, orgId };
  try {
    await db("messages").insertOne(doc);
  } catch (err) {
    // A concurrent call with the same key won the insert: its message is the answer.
    if (isDuplicateKeyError(err)) return (await db("messages").findOne({ key }))!;
    throw err;
  }
  await touchConversation(orgId, conversation, message);
  return dispatch(orgId, message, contact);
}

/**
 * A new outbound message as stored before Meta is called (`pending`): the one shape for every
 * sender, so a single send and a campaign's batch store the same record.
 */
export function outboundMessage(f: Pick<MessageDoc, "conversationId" | "contactId" | "accountId" | "key" | "sender" | "senderUserId" | "type" | "text" | "payload" | "media" | "replyTo"> & Pick<Partial<MessageDoc>, "campaign" | "ai">): Omit<MessageDoc, "orgId"> {
  const now = new Date();
  return {
    _id: new ObjectId(),
    ...f,
    waMessageId: null,
    direction: "outbound",
    reactions: [],
    edited: null,
    revokedAt: null,
    forwarded: "no",
    status: "pending",
    statusHistory: [{ status: "pending", at: now }],
    error: null,
    pricing: null,
    waConversation: null,
    sentAt: now,
    searchTokens: searchTokens(f.text),
    createdAt: now,
    updatedAt: now,
  };
}

/** Sends a failed outbound message again (same record, a new WhatsApp id). */
export async function retryMessage(orgId: ObjectId, messageId: ObjectId): Promise<MessageDoc> {
  const db = scoped(orgId);
  const message = await db("messages").findOne({ _id: messageId });
  if (!message || message.direction !== "outbound" || message.type === "note" || message.type === "system") {
    throw new ApiError("not_found", "Message not found");
  }
  const notFailed = () => new ApiError("conflict", "Only a failed message can be retried");
  if (message.status !== "failed") throw notFailed();
  const { conversation, contact } = await loadConversation(orgId, message.conversationId);
  assertSendable(conversation, contact, message.type, message.sender === "system");
  const now = new Date();
  // Claim the retry atomically: of two clicks on "retry" one sends; for the other it is no longer failed.
  const claimed = await db("messages").findOneAndUpdate(
    { _id: messageId, status: "failed" },
    { $set: { status: "pending", error: null, waMessageId: null, updatedAt: now }, $push: { statusHistory: { status: "pending", at: now } } },
    { returnDocument: "after" },
  );
  if (!claimed) throw notFailed();
  await touchConversation(orgId, conversation, claimed);
  return dispatch(orgId, claimed, contact);
}

async function loadConversation(orgId: ObjectId, conversationId: ObjectId): Promise<{ conversation: ConversationDoc; contact: ContactDoc }> {
  const db = scoped(orgId);
  const conversation = await db("conversations").findOne({ _id: conversationId });
  if (!conversation) throw new ApiError("not_found", "Conversation not found");
  const contact = await db("contacts").findOne({ _id: conversation.contactId });
  if (!contact) throw new ApiError("not_found", "The conversation's contact no longer exists");
  return { conversation, contact };
}

function assertSendable(conversation: ConversationDoc, contact: ContactDoc, type: MessageDoc["type"], bypassConsent: boolean) {
  if (!contact.phone && !contact.bsuid) throw new ApiError("unprocessable_entity", "This contact has no WhatsApp number or user id to send to");
  if (contact.consent.state === "opted_out" && !bypassConsent) {
    throw new ApiError("unprocessable_entity", "This contact has opted out of WhatsApp messages; they must opt in again before you can write");
  }
  if (type !== "template" && !windowOpen(conversation)) {
    throw new ApiError(
      "unprocessable_entity",
      "The 24-hour customer service window is closed (the customer has not written in the last 24 hours); send an approved template instead",
    );
  }
}

async function prepare(orgId: ObjectId, accountId: ObjectId, content: OutboundContent): Promise<Prepared> {
  switch (content.type) {
    case "text": {
      const text = content.text.trim();
      if (!text) throw new ApiError("unprocessable_entity", "The message is empty");
      if (text.length > MAX_TEXT_LENGTH) throw new ApiError("unprocessable_entity", `A WhatsApp text message is at most ${MAX_TEXT_LENGTH} characters (this one has ${text.length})`);
      return { type: "text", text, payload: { body: text, preview_url: content.previewUrl ?? false }, media: null };
    }
    case "template": {
      const { name, language, components } = content.template;
      const template = await scoped(orgId)("whatsapp_templates").findOne({ accountId, name, language });
      if (template && template.status !== "APPROVED") {
        throw new ApiError("unprocessable_entity", `The template "${name}" (${language}) is ${template.status.toLowerCase()}, not approved`);
      }
      return {
        type: "template",
        text: template ? renderPreview(template.components, components) : `Template: ${name}`,
        payload: { name, language: { code: language }, ...(components?.length ? { components } : {}) },
        media: null,
      };
    }
    case "interactive": {
      assertInteractiveLimits(content.interactive);
      const body = (content.interactive.body as { text?: unknown } | undefined)?.text;
      return { type: "interactive", text: typeof body === "string" ? body : null, payload: content.interactive, media: null };
    }
    case "reaction":
      return { type: "reaction", text: content.emoji || null, payload: { message_id: await reactionTarget(orgId, content.targetMessageId), emoji: content.emoji }, media: null };
    default: {
      if (!ObjectId.isValid(content.fileId)) throw new ApiError("unprocessable_entity", "fileId must be the id returned by POST /api/media");
      const file = await findMedia(orgId, new ObjectId(content.fileId));
      if (!file) throw new ApiError("unprocessable_entity", "The attached file was not found; upload it again");
      const problem = mediaProblem(content.type, file.meta.mimeType, file.length);
      if (problem) throw new ApiError("unprocessable_entity", problem);
      const caption = content.caption?.trim() || null;
      const filename = content.type === "document" ? content.filename ?? file.filename : null;
      return {
        type: content.type,
        text: caption ?? filename,
        payload: { ...(caption && content.type !== "audio" && content.type !== "sticker" ? { caption } : {}), ...(filename ? { filename } : {}) },
        media: {
          waMediaId: null,
          mimeType: file.meta.mimeType,
          sha256: null,
          filename: filename ?? file.filename,
          caption,
          size: file.length,
          fileId: file.id,
          download: "not_needed",
          downloadError: null,
        },
      };
    }
  }
}

/** The template body with its parameters filled in, for the inbox and search. */
export function renderPreview(templateComponents: Record<string, unknown>[], components: unknown[] | undefined): string {
  const body = templateComponents.find((c) => String(c.type).toUpperCase() === "BODY");
  let text = typeof body?.text === "string" ? body.text : "";
  const params = ((components ?? []) as { type?: string; parameters?: { text?: string; parameter_name?: string }[] }[]).find((c) => c.type === "body")?.parameters ?? [];
  params.forEach((p, i) => {
    text = text.replaceAll(p.parameter_name ? `{{${p.parameter_name}}}` : `{{${i + 1}}}`, p.text ?? "");
  });
  return text;
}

async function replyTarget(orgId: ObjectId, id: ObjectId): Promise<MessageDoc["replyTo"]> {
  const target = await scoped(orgId)("messages").findOne({ _id: id });
  if (!target?.waMessageId) throw new ApiError("unprocessable_entity", "The message you reply to has no WhatsApp id yet");
  return { waMessageId: target.waMessageId, messageId: target._id };
}

async function reactionTarget(orgId: ObjectId, target: string): Promise<string> {
  if (target.startsWith("wamid.")) return target;
  const message = ObjectId.isValid(target) ? await scoped(orgId)("messages").findOne({ _id: new ObjectId(target) }) : null;
  if (!message?.waMessageId) throw new ApiError("unprocessable_entity", "The message to react to was not found or has no WhatsApp id");
  return message.waMessageId;
}

async function touchConversation(orgId: ObjectId, conversation: ConversationDoc, message: MessageDoc) {
  if (message.type === "reaction") return;
  const now = new Date();
  const db = scoped(orgId)("conversations");
  await db.updateOne(
    { _id: conversation._id },
    {
      $set: {
        lastMessage: { preview: preview(message), type: message.type, sender: message.sender, status: message.status, at: message.sentAt },
        lastActivityAt: message.sentAt,
        updatedAt: now,
      },
    },
  );
  if (message.sender !== "system") {
    await db.updateOne({ _id: conversation._id, firstResponseAt: null }, { $set: { firstResponseAt: message.sentAt, updatedAt: now } });
  }
}

function preview(m: MessageDoc): string {
  return (m.text ?? `[${m.type}]`).slice(0, 120);
}

/** Calls Meta and records the outcome: the wamid, or Meta's error with status `failed`. */
async function dispatch(orgId: ObjectId, message: MessageDoc, contact: ContactDoc): Promise<MessageDoc> {
  const db = scoped(orgId);
  const to = contact.phone ?? contact.bsuid!;
  let result: SendResult;
  try {
    const client = await graphClientFor(orgId, message.accountId);
    result = await callGraph(orgId, client, to, message);
  } catch (err) {
    if (!(err instanceof GraphApiError)) throw err;
    log.warn("message.send_failed", { orgId: orgId.toHexString(), messageId: message._id.toHexString(), code: err.code, kind: err.kind, fbtraceId: err.fbtraceId });
    const now = new Date();
    const failed = await db("messages").findOneAndUpdate(
      { _id: message._id },
      { $set: { status: "failed", error: err.toMetaError(), updatedAt: now }, $push: { statusHistory: { status: "failed", at: now } } },
      { returnDocument: "after" },
    );
    await db("conversations").updateOne(
      { _id: message.conversationId, "lastMessage.at": message.sentAt },
      { $set: { "lastMessage.status": "failed", updatedAt: now } },
    );
    return failed!;
  }
  await db("messages").updateOne({ _id: message._id }, { $set: { waMessageId: result.wamid, updatedAt: new Date() } });
  // A status webhook can beat this response; it was parked as an orphan and applies now.
  await applyOrphanStatuses(orgId, result.wamid);
  if (message.type === "reaction") await recordReaction(orgId, message);
  return (await db("messages").findOne({ _id: message._id }))!;
}

async function callGraph(orgId: ObjectId, client: GraphClient, to: string, m: MessageDoc): Promise<SendResult> {
  const replyTo = m.replyTo?.waMessageId ?? null;
  const p = m.payload ?? {};
  switch (m.type) {
    case "text":
      return client.sendText(to, String(p.body), { previewUrl: p.preview_url === true, replyTo });
    case "template": {
      const t = p as { name: string; language: { code: string }; components?: unknown[] };
      return client.sendTemplate(to, { name: t.name, language: t.language.code, components: t.components }, replyTo);
    }
    case "interactive":
      return client.sendInteractive(to, p, replyTo);
    case "reaction":
      return client.sendReaction(to, String(p.message_id), String(p.emoji ?? ""));
    case "image":
    case "video":
    case "audio":
    case "document":
    case "sticker": {
      const media = m.media!;
      let waMediaId = media.waMediaId;
      if (!waMediaId) {
        // Outbound media is uploaded to Meta first; the id is kept so a retry does not upload again.
        const file = await readMedia(orgId, media.fileId!);
        if (!file) throw new GraphApiError(131053, "(#131053) Media upload error", "The stored file is gone; upload it again", null);
        waMediaId = await client.uploadMedia({ bytes: file.bytes, mimeType: file.meta.mimeType, filename: file.filename });
        await scoped(orgId)("messages").updateOne({ _id: m._id }, { $set: { "media.waMediaId": waMediaId, updatedAt: new Date() } });
      }
      return client.sendMedia(to, m.type, { id: waMediaId, ...(p as { caption?: string; filename?: string }) }, replyTo);
    }
    default:
      throw new ApiError("unprocessable_entity", `Messages of type ${m.type} cannot be sent to WhatsApp`);
  }
}

/** The business's reaction shows on the message it reacts to (one per side; an empty emoji removes it). */
async function recordReaction(orgId: ObjectId, reaction: MessageDoc) {
  await setReaction(orgId, String(reaction.payload?.message_id ?? ""), "business", String(reaction.payload?.emoji ?? ""), reaction.sentAt);
}
