import { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";
import type { LeadScoringConfig } from "@/lib/schemas/lead-score";
import { lookbackDays, type ScoringInputs } from "./compute";

/** What scoring reads of a contact (the fit fields and the denormalised score it keeps in sync). */
export const scoringContactProjection = { _id: 1, email: 1, company: 1, tags: 1, lastInboundAt: 1, erasedAt: 1, leadScore: 1 } as const;
export type ScoringContact = {
  _id: ObjectId;
  email: string | null;
  company: string | null;
  tags: string[];
  lastInboundAt: Date | null;
  erasedAt?: Date | null;
  leadScore?: number | null;
};

/** `$in` lists stay within what the planner serves as equality (tests/support/index-coverage/esr.ts). */
export const IN_CHUNK = 200;
/** Scored text is only searched for buying words; a long message is cut before it is kept in memory. */
const TEXT_KEPT = 500;

function chunks<T>(items: T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A message as scoring reads it (the contact's id is on every message, kept by merges). */
export const scoringMessageProjection = { _id: 0, contactId: 1, conversationId: 1, sender: 1, sentAt: 1, status: 1, text: 1 } as const;
export type ScoringMessageRow = { contactId: ObjectId; conversationId: ObjectId; sender: string; sentAt: Date; status: string | null; text: string | null };

/** A campaign link click as scoring reads it. */
export const scoringClickProjection = { _id: 0, contactId: 1, campaignId: 1, clickedAt: 1 } as const;
export type ScoringClickRow = { contactId: ObjectId; campaignId: ObjectId; clickedAt: Date | null };

export const sinceFor = (config: LeadScoringConfig, now: Date) => new Date(now.getTime() - lookbackDays(config) * 24 * 3600_000);

/**
 * The events behind the scores of up to IN_CHUNK contacts: their conversations, those
 * conversations' messages within the lookback, then what assembleInputs adds. A fixed number of
 * indexed reads whatever the batch; the one-contact job and lock use it (the nightly batch streams
 * the messages instead, lib/scoring/nightly-job.ts).
 */
export async function loadScoringInputs(orgId: ObjectId, contacts: ScoringContact[], config: LeadScoringConfig, now: Date): Promise<Map<string, ScoringInputs>> {
  const db = scoped(orgId);
  const since = sinceFor(config, now);
  const ids = contacts.map((c) => c._id);
  if (ids.length === 0) return new Map();
  const conversations = (await Promise.all(chunks(ids).map((part) => db("conversations").find({ contactId: { $in: part } }, { projection: { _id: 1 } }).toArray()))).flat();
  const messages = (
    await Promise.all(
      chunks(conversations.map((c) => c._id)).map((part) =>
        db("messages").find({ conversationId: { $in: part }, sentAt: { $gte: since } }, { projection: scoringMessageProjection }).toArray(),
      ),
    )
  ).flat() as unknown as ScoringMessageRow[];
  return assembleInputs(orgId, contacts, messages, since);
}

/**
 * Groups a batch's messages by contact and adds the AI analyses of the conversations they are in
 * and the contacts' campaign link clicks (read here unless the caller streamed them), with the
 * clicked campaigns' names: at most three indexed reads.
 */
export async function assembleInputs(
  orgId: ObjectId,
  contacts: ScoringContact[],
  messages: ScoringMessageRow[],
  since: Date,
  streamedClicks?: ScoringClickRow[],
): Promise<Map<string, ScoringInputs>> {
  const db = scoped(orgId);
  const byContact = new Map<string, ScoringInputs>(
    contacts.map((c) => [c._id.toHexString(), { contact: { email: c.email, company: c.company, tags: c.tags ?? [], lastInboundAt: c.lastInboundAt }, messages: [], clicks: [], analyses: [] }]),
  );
  if (contacts.length === 0) return byContact;
  const contactOf = new Map<string, string>();
  for (const m of messages) {
    const contact = m.contactId.toHexString();
    const inputs = byContact.get(contact);
    if (!inputs || m.sender === "system") continue;
    const conversationId = m.conversationId.toHexString();
    contactOf.set(conversationId, contact);
    inputs.messages.push({ conversationId, inbound: m.sender === "customer", sentAt: m.sentAt, status: m.status, text: m.text ? m.text.slice(0, TEXT_KEPT) : null });
  }
  const conversationIds = [...contactOf.keys()].map((id) => new ObjectId(id));
  const [analyses, recipients] = await Promise.all([
    Promise.all(chunks(conversationIds).map((part) => db("conversation_analytics").find({ conversationId: { $in: part } }, { projection: { conversationId: 1, intents: 1, summary: 1, analyzedAt: 1 } }).toArray())).then((r) => r.flat()),
    streamedClicks ??
      Promise.all(
        chunks(contacts.map((c) => c._id)).map((part) => db("campaign_recipients").find({ contactId: { $in: part }, clickedAt: { $gte: since } }, { projection: scoringClickProjection }).toArray()),
      ).then((r) => r.flat() as unknown as ScoringClickRow[]),
  ]);
  const campaignIds = [...new Map(recipients.map((r) => [r.campaignId.toHexString(), r.campaignId])).values()];
  const campaigns = campaignIds.length ? (await Promise.all(chunks(campaignIds).map((part) => db("campaigns").find({ _id: { $in: part } }, { projection: { name: 1 } }).toArray()))).flat() : [];
  const campaignName = new Map(campaigns.map((c) => [c._id.toHexString(), c.name]));
  for (const a of analyses) {
    const conversationId = a.conversationId.toHexString();
    if (a.analyzedAt < since) continue;
    byContact.get(contactOf.get(conversationId) ?? "")?.analyses.push({ conversationId, intents: a.intents, summary: a.summary, analyzedAt: a.analyzedAt });
  }
  for (const r of recipients) {
    const name = campaignName.get(r.campaignId.toHexString());
    byContact.get(r.contactId.toHexString())?.clicks.push({ at: r.clickedAt!, label: name ? `campaign “${name}”` : "a deleted campaign" });
  }
  return byContact;
}
