import { ObjectId, type AnyBulkWriteOperation } from "mongodb";
import { scoped } from "@/lib/db/scoped";
import { log } from "@/lib/log";
import type { CampaignRef } from "@/lib/schemas/campaign";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { MessageDoc } from "@/lib/schemas/message";
import { outboundMessage } from "./send-message";
import { applyOrphanStatuses } from "@/lib/webhook/statuses";
import { insertNew } from "@/lib/webhook/insert-new";
import { mapLimit } from "@/lib/webhook/map-limit";
import type { GraphClient } from "@/lib/whatsapp/graph-client";
import { GraphApiError } from "@/lib/whatsapp/graph-error";

/**
 * Many template messages at once: the bulk form of `sendMessage` (same records, same
 * `out:<idempotencyKey>` uniqueness, same pending-before-Meta rule), in a fixed number of round
 * trips per batch instead of several per message, which is what lets a campaign reach 1,000
 * messages per second. Each send carries the message id as `biz_opaque_callback_data`, so the
 * status webhook of a send whose response was lost (a crash right after Meta accepted it) still
 * finds its message.
 */
export type BatchItem = {
  idempotencyKey: string;
  contact: ContactDoc;
  conversationId: ObjectId;
  template: { name: string; language: string; components: Record<string, unknown>[] };
  /** What the inbox shows: the rendered body. */
  text: string;
  campaign?: CampaignRef;
};

export type BatchOutcome =
  | { kind: "sent"; messageId: ObjectId; wamid: string; held: boolean }
  | { kind: "failed"; messageId: ObjectId; error: GraphApiError }
  /** Sent before (a redelivery): what the message record says. */
  | { kind: "already"; messageId: ObjectId; wamid: string }
  /**
   * Stored as pending by a delivery that died while calling Meta, too recently to know whether Meta
   * got it: its status webhook (which carries the message id) may still come. Try again later.
   */
  | { kind: "in_doubt"; messageId: ObjectId };

export type BatchOptions = {
  /** A pending message older than this with no status webhook was never accepted: it is sent again. */
  inDoubtAfterMs: number;
  marketingMessagesApi?: boolean;
  /** Meta calls at once. */
  concurrency?: number;
};

export async function sendTemplateBatch(orgId: ObjectId, client: GraphClient, items: BatchItem[], opts: BatchOptions): Promise<BatchOutcome[]> {
  const db = scoped(orgId);
  const accountId = client.account()._id;
  const now = new Date();
  const docs = items.map((it) => newMessage(it, accountId));
  const { duplicates } = await insertNew(db("messages"), docs.map(({ orgId: _, ...d }) => d));

  // Redeliveries: what happened to the messages stored before decides what is sent now.
  const outcomes: (BatchOutcome | null)[] = items.map(() => null);
  const toSend: number[] = [];
  const existing = duplicates.size ? await db("messages").find({ key: { $in: [...duplicates].map((i) => docs[i]!.key) } }).toArray() : [];
  const byKey = new Map(existing.map((m) => [m.key, m]));
  const retry: ObjectId[] = [];
  items.forEach((_, i) => {
    if (!duplicates.has(i)) return toSend.push(i);
    const m = byKey.get(docs[i]!.key);
    if (!m) return toSend.push(i);
    docs[i] = m;
    // Failed (now, or later by a status webhook such as 131049): this is the retry. Accepted: done.
    if (m.status !== "failed" && m.waMessageId) outcomes[i] = { kind: "already", messageId: m._id, wamid: m.waMessageId };
    else if (m.status === "failed" || now.getTime() - m.updatedAt.getTime() > opts.inDoubtAfterMs) {
      retry.push(m._id);
      toSend.push(i);
    } else outcomes[i] = { kind: "in_doubt", messageId: m._id };
  });
  if (retry.length) {
    // A failed message gets a new WhatsApp id; the old one's late statuses no longer apply to it.
    await db("messages").updateMany(
      { _id: { $in: retry }, $or: [{ status: "failed" }, { waMessageId: null }] },
      { $set: { status: "pending", error: null, waMessageId: null, updatedAt: now }, $push: { statusHistory: { status: "pending", at: now } } },
    );
  }

  await mapLimit(toSend, opts.concurrency ?? 32, async (i) => {
    const m = docs[i]!;
    const it = items[i]!;
    try {
      const r = await client.sendTemplate(it.contact.phone ?? it.contact.bsuid!, it.template, null, {
        callbackData: m._id.toHexString(),
        marketingMessagesApi: opts.marketingMessagesApi,
      });
      outcomes[i] = { kind: "sent", messageId: m._id, wamid: r.wamid, held: r.messageStatus === "held_for_quality_assessment" };
    } catch (err) {
      if (!(err instanceof GraphApiError)) throw err;
      outcomes[i] = { kind: "failed", messageId: m._id, error: err };
    }
  });

  const writes: AnyBulkWriteOperation<MessageDoc>[] = [];
  const at = new Date();
  for (const i of toSend) {
    const o = outcomes[i]!;
    if (o.kind === "sent") writes.push({ updateOne: { filter: { _id: o.messageId }, update: { $set: { waMessageId: o.wamid, updatedAt: at } } } });
    else if (o.kind === "failed") {
      writes.push({
        updateOne: {
          filter: { _id: o.messageId },
          update: { $set: { status: "failed", error: o.error.toMetaError(), updatedAt: at }, $push: { statusHistory: { status: "failed", at } } },
        },
      });
    }
  }
  if (writes.length) await db("messages").bulkWrite(writes, { ordered: false });
  await touchConversations(orgId, docs.filter((_, i) => toSend.includes(i) && !duplicates.has(i)));

  // A status webhook can beat the send's response; those waiting as orphans apply now (one read for the batch).
  const wamids = toSend.flatMap((i) => (outcomes[i]!.kind === "sent" ? [(outcomes[i] as { wamid: string }).wamid] : []));
  if (wamids.length) {
    const orphans = await db("orphan_statuses").find({ waMessageId: { $in: wamids } }, { projection: { waMessageId: 1 } }).toArray();
    for (const w of new Set(orphans.map((o) => o.waMessageId))) await applyOrphanStatuses(orgId, w);
  }
  const failed = outcomes.filter((o) => o?.kind === "failed").length;
  if (failed) log.warn("messages.batch_failures", { orgId: orgId.toHexString(), failed, of: items.length });
  return outcomes as BatchOutcome[];
}

function newMessage(it: BatchItem, accountId: ObjectId): MessageDoc {
  const payload = { name: it.template.name, language: { code: it.template.language }, ...(it.template.components.length ? { components: it.template.components } : {}) };
  return {
    ...outboundMessage({
      conversationId: it.conversationId,
      contactId: it.contact._id,
      accountId,
      key: `out:${it.idempotencyKey}`,
      sender: "system",
      senderUserId: null,
      type: "template",
      text: it.text,
      payload,
      media: null,
      replyTo: null,
      ...(it.campaign ? { campaign: it.campaign } : {}),
    }),
    orgId: it.contact.orgId,
  };
}

/** The thread previews of the new messages' conversations, in one bulk write (only ever moving forward). */
async function touchConversations(orgId: ObjectId, messages: MessageDoc[]) {
  if (messages.length === 0) return;
  const now = new Date();
  await scoped(orgId)("conversations").bulkWrite(
    messages.map((m) => ({
      updateOne: {
        filter: { _id: m.conversationId, $or: [{ lastMessage: null }, { "lastMessage.at": { $lte: m.sentAt } }] },
        update: {
          $set: { lastMessage: { preview: (m.text ?? "[template]").slice(0, 120), type: m.type, sender: m.sender, status: m.status, at: m.sentAt }, updatedAt: now },
          $max: { lastActivityAt: m.sentAt },
        },
      },
    })),
    { ordered: false },
  );
}
