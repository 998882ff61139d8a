import { ObjectId } from "mongodb";
import { z } from "zod";
import { scoped } from "@/lib/db/scoped";
import { defineJob } from "@/lib/jobs/define-job";
import { sendTemplateBatch, type BatchItem } from "@/lib/messaging/send-batch";
import { reserveSendTime } from "@/lib/messaging/send-pacer";
import { idString } from "@/lib/schemas/common";
import type { CampaignRecipientDoc, VariantKey } from "@/lib/schemas/campaign";
import type { ContactDoc } from "@/lib/schemas/contact";
import { renderTemplateText, sendComponents } from "@/lib/templates/variables";
import { openLiveConversations } from "@/lib/webhook/conversations";
import { graphClientFor } from "@/lib/whatsapp/graph-client";
import { bump } from "./counters";
import { campaignMeta, dispatch, MAX_BATCH } from "./dispatch";
import { applyFailure } from "./outcomes";

/**
 * A send whose delivery died after storing its message as pending, and whose status webhook (which
 * would carry the message id back) has not come within this time, was never accepted by Meta: it
 * is sent again. Meta posts `sent` within seconds; ten minutes leaves room for webhook retries.
 */
export const IN_DOUBT_AFTER_MS = Number(process.env.CAMPAIGN_IN_DOUBT_AFTER_MS ?? 10 * 60_000);

export const campaignSendPayload = z.object({
  orgId: idString,
  campaignId: idString,
  recipientIds: z.array(idString).min(1).max(MAX_BATCH),
});

/**
 * `campaign-send`: one paced batch of a campaign (lib/campaigns/dispatch.ts). Exactly once, by three
 * guards in a row:
 * 1. the claim: only recipients still `queued` are taken, stamped with this delivery's id, so
 *    another job holding the same recipient takes nothing, while a redelivery of this very job
 *    (same id) continues what it had claimed;
 * 2. the message's idempotency key `campaign:<recipient>`: a redelivery finds the message stored
 *    before and sends only what was never sent (lib/messaging/send-batch.ts);
 * 3. the recipient's own transition `sending -> sent`, which a status webhook may have made first.
 */
export const campaignSendJob = defineJob({
  name: "campaign-send",
  schema: campaignSendPayload,
  retries: 5,
  concurrency: 8,
  async handle(p, ctx) {
    const orgId = new ObjectId(p.orgId);
    const campaignId = new ObjectId(p.campaignId);
    const db = scoped(orgId);
    const campaign = await db("campaigns").findOne({ _id: campaignId }, { projection: { status: 1 } });
    // Paused or cancelled: the recipients stay queued (a resume dispatches them again) or were cancelled.
    if (!campaign || campaign.status !== "sending") return { skipped: campaign?.status ?? "missing" };
    const meta = await campaignMeta(orgId, campaignId);
    if (!meta) return { skipped: "missing" };

    const ids = p.recipientIds.map((id) => new ObjectId(id));
    const now = new Date();
    await db("campaign_recipients").updateMany(
      { _id: { $in: ids }, campaignId, status: "queued", $or: [{ nextAttemptAt: null }, { nextAttemptAt: { $lte: new Date(now.getTime() + 1000) } }] },
      { $set: { status: "sending", claimToken: ctx.messageId, claimedAt: now, updatedAt: now }, $inc: { attempts: 1 } },
    );
    const claimed = await db("campaign_recipients").find({ _id: { $in: ids }, status: "sending", claimToken: ctx.messageId }).toArray();
    if (claimed.length === 0) return { sent: 0 };

    const contacts = await db("contacts").find({ _id: { $in: claimed.map((r) => r.contactId) } }).toArray();
    const contactById = new Map(contacts.map((c) => [c._id.toHexString(), c]));
    const client = await graphClientFor(orgId, meta.accountId);
    const account = client.account();
    const conversations = await openLiveConversations(orgId, { _id: account._id, orgId, wabaId: account.wabaId, phoneNumberId: account.phoneNumberId, displayPhoneNumber: "" }, contacts, {
      status: "resolved",
      source: { kind: "campaign", referral: null },
      at: now,
    });

    const items: { r: CampaignRecipientDoc; item: BatchItem; contact: ContactDoc }[] = [];
    const gone: CampaignRecipientDoc[] = [];
    for (const r of claimed) {
      const contact = contactById.get(r.contactId.toHexString());
      const variant = meta.variants.find((v) => v.key === r.variant);
      const conversationId = contact ? conversations.get(contact._id.toHexString()) : undefined;
      if (!contact || contact.erasedAt || !variant || !conversationId || (!contact.phone && !contact.bsuid)) {
        gone.push(r);
        continue;
      }
      const rendered = renderTemplateText(variant.template, r.values);
      items.push({
        r,
        contact,
        item: {
          idempotencyKey: `campaign:${r._id.toHexString()}`,
          contact,
          conversationId,
          template: { name: variant.template.name, language: variant.template.language, components: sendComponents(variant.template, r.values) },
          text: [rendered.header, rendered.body].filter(Boolean).join("\n"),
          campaign: { campaignId, recipientId: r._id, variant: r.variant as VariantKey },
        },
      });
    }
    for (const r of gone) await applyFailure(orgId, r, "sending", { code: -2, message: "The contact was deleted or has no WhatsApp number any more" }, now);

    // The batch's moment on the number's shared schedule, taken before its messages are stored: a
    // crash while waiting leaves nothing in doubt, and the redelivery takes a new moment.
    const wait = items.length ? (await reserveSendTime(orgId, meta.accountId, items.length, meta.ratePerSecond)).waitMs : 0;
    if (wait > 0) {
      await new Promise((r) => setTimeout(r, wait));
      // Paused or cancelled while this batch waited: its recipients go back as they were (a resume sends them).
      const now = (await db("campaigns").findOne({ _id: campaignId }, { projection: { status: 1 } }))?.status;
      if (now !== "sending") return { skipped: now ?? "missing", released: await release(orgId, campaignId, items.map((i) => i.r), ctx.messageId, now === "cancelled") };
    }
    const marketing = items.some((i) => meta.variants.find((v) => v.key === i.r.variant)?.template.category === "MARKETING");
    const outcomes = await sendTemplateBatch(orgId, client, items.map((i) => i.item), {
      inDoubtAfterMs: IN_DOUBT_AFTER_MS,
      marketingMessagesApi: meta.marketingMessagesApi && marketing,
    });

    // Accepted (now or by an earlier delivery): one bulk write per variant, so the counters move by
    // exactly what this job changed (a status webhook may have settled some first).
    const at = new Date();
    type Accepted = { ids: ObjectId[]; held: ObjectId[]; messages: Map<string, ObjectId> };
    const acceptedBy = new Map<string, Accepted>();
    let inDoubt = 0;
    for (const [i, o] of outcomes.entries()) {
      const { r } = items[i]!;
      if (o.kind === "sent" || o.kind === "already") {
        const g: Accepted = acceptedBy.get(r.variant) ?? { ids: [], held: [], messages: new Map() };
        g.ids.push(r._id);
        g.messages.set(r._id.toHexString(), o.messageId);
        if (o.kind === "sent" && o.held) g.held.push(r._id);
        acceptedBy.set(r.variant, g);
      } else if (o.kind === "failed") {
        await applyFailure(orgId, r, "sending", { code: o.error.code, message: o.error.title, clientKind: o.error.kind }, at);
      } else inDoubt++;
    }
    const changes: Parameters<typeof bump>[2] = [];
    for (const [variant, g] of acceptedBy) {
      const res = await db("campaign_recipients").bulkWrite(
        g.ids.map((id) => ({
          updateOne: {
            filter: { _id: id, status: "sending" },
            update: { $set: { status: "sent", sentAt: at, messageId: g.messages.get(id.toHexString())!, claimToken: null, error: null, updatedAt: at, ...(g.held.some((h) => h.equals(id)) ? { heldAt: at } : {}) } },
          },
        })),
        { ordered: false },
      );
      changes.push({ variant: variant as VariantKey, delta: { sent: res.modifiedCount, pending: -res.modifiedCount } });
    }
    await bump(orgId, campaignId, changes);
    // The hint the webhook reads to match a reply to this campaign without a query per inbound message.
    const sentItems = items.filter((_, i) => outcomes[i]!.kind === "sent");
    if (sentItems.length) {
      await db("contacts").bulkWrite(
        sentItems.map(({ r }) => ({
          updateOne: { filter: { _id: r.contactId }, update: { $set: { lastCampaign: { campaignId, recipientId: r._id, at, rescheduled: false }, updatedAt: at } } },
        })),
        { ordered: false },
      );
    }
    if (inDoubt > 0) {
      // Kept claimed: a later delivery of this job sends them once their doubt has expired.
      throw new Error(`${inDoubt} send(s) of an earlier delivery are still in doubt; retrying later`);
    }
    return { sent: sentItems.length, failed: outcomes.filter((o) => o.kind === "failed").length };
  },
});

/** Claimed recipients handed back unsent: to the queue (paused), or out of the funnel (cancelled). */
async function release(orgId: ObjectId, campaignId: ObjectId, recipients: CampaignRecipientDoc[], claimToken: string, cancelled: boolean): Promise<number> {
  const byVariant = new Map<string, ObjectId[]>();
  for (const r of recipients) byVariant.set(r.variant, [...(byVariant.get(r.variant) ?? []), r._id]);
  const changes: Parameters<typeof bump>[2] = [];
  let n = 0;
  for (const [variant, ids] of byVariant) {
    const res = await scoped(orgId)("campaign_recipients").updateMany(
      { _id: { $in: ids }, status: "sending", claimToken },
      { $set: { status: cancelled ? "cancelled" : "queued", claimToken: null, updatedAt: new Date() }, $inc: { attempts: -1 } },
    );
    n += res.modifiedCount;
    if (cancelled) changes.push({ variant: variant as VariantKey, delta: { pending: -res.modifiedCount } });
  }
  await bump(orgId, campaignId, changes);
  return n;
}

/**
 * `campaign-retry`: a recipient rescheduled after Meta's 131049 goes back to the queue after 24 h
 * (unless the customer wrote first and it was sent already).
 */
export const campaignRetryJob = defineJob({
  name: "campaign-retry",
  schema: z.object({ orgId: idString, recipientId: idString, reason: z.enum(["capped"]) }),
  async handle(p) {
    const orgId = new ObjectId(p.orgId);
    const r = await scoped(orgId)("campaign_recipients").findOneAndUpdate(
      { _id: new ObjectId(p.recipientId), status: "rescheduled" },
      { $set: { status: "queued", nextAttemptAt: null, updatedAt: new Date() } },
      { projection: { campaignId: 1 } },
    );
    if (!r) return { skipped: true };
    const meta = await campaignMeta(orgId, r.campaignId);
    if (meta) await dispatch(orgId, meta, [r._id], { round: `retry-${Date.now()}` });
    return { requeued: true };
  },
});
