import type { ObjectId } from "mongodb";
import { escapeKeys } from "@/lib/db/safe-keys";
import { scoped } from "@/lib/db/scoped";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { MessageDoc } from "@/lib/schemas/message";
import { accountByPhoneNumberId, derivedId, type AccountRef } from "./accounts";
import { emptyResult, type ChangeResult } from "./change-result";
import { consentChangedEvent, keywordChange, recordConsent } from "./consent";
import { changeContactNumber, identityOf, profileFor, rememberLiveConversation, resolveContact, type Identity } from "./contacts";
import { applyInbound, liveConversationId, liveKeyOf, openLiveConversation, type InboundSummary } from "./conversations";
import {
  inboundMessageSchema,
  issueText,
  messagesValueSchema,
  statusSchema,
  toMetaError,
  userPreferenceSchema,
  waContactSchema,
  type InboundMessage,
  type StatusItem,
  type WaContact,
  type WaError,
} from "./envelope";
import type { FollowUps, IngestedMessage } from "./follow-ups";
import { insertMessages } from "./group-insert";
import { mapLimit } from "./map-limit";
import { applyMutation, isMutation, previewOf, quotedMessageId, toMessageDoc } from "./messages";
import { ACCOUNT_EVENTS_KEPT } from "./management";
import { applyStatuses } from "./statuses";
import type { EventInput } from "@/lib/outbound-webhooks/emit";

/** Database operations in flight per delivery (contacts, conversations, statuses of one batch). */
const CONCURRENCY = 8;
/** A redelivery this soon after the first one re-schedules follow-ups: the first may have failed before scheduling them. */
const FOLLOW_UP_REDELIVERY_MS = 10 * 60_000;
/** Meta resends a refused delivery with backoff for days; a day covers the outages we answer 503 for. */
const UNCOUNTED_RECOVERY_MS = 24 * 60 * 60_000;

type Parsed<T> = { items: T[]; problems: string[] };
function parseEach<T>(raw: unknown, what: string, parse: (v: unknown) => { success: true; data: T } | { success: false; error: import("zod").ZodError }): Parsed<T> {
  const items: T[] = [];
  const problems: string[] = [];
  if (raw === undefined) return { items, problems };
  if (!Array.isArray(raw)) return { items, problems: [`${what}: expected an array, received ${raw === null ? "null" : typeof raw}`] };
  raw.forEach((v, i) => {
    const r = parse(v);
    if (r.success) items.push(r.data);
    else problems.push(`${what}[${i}]${idOf(v)}: ${issueText(r.error)}`);
  });
  return { items, problems };
}
const idOf = (v: unknown) => (v && typeof v === "object" && typeof (v as { id?: unknown }).id === "string" ? ` (${(v as { id: string }).id})` : "");

async function accountFor(value: Record<string, unknown>, field: string): Promise<{ account: AccountRef; v: ReturnType<typeof messagesValueSchema.parse> } | { problem: string }> {
  const parsed = messagesValueSchema.safeParse(value);
  if (!parsed.success) return { problem: `${field}: ${issueText(parsed.error)}` };
  const id = parsed.data.metadata.phone_number_id;
  const account = await accountByPhoneNumberId(id);
  if (!account) return { problem: `${field}: unknown phone_number_id ${id} (no WhatsApp account is registered for it)` };
  return { account, v: parsed.data };
}

/** The `messages` field: customer messages, reactions/edits/revokes, statuses and value-level errors, in any mix. */
export async function handleMessagesChange(value: Record<string, unknown>): Promise<ChangeResult> {
  const found = await accountFor(value, "messages");
  if ("problem" in found) return { ...emptyResult(), problems: [found.problem] };
  const { account, v } = found;
  const orgId = account.orgId;
  const result = emptyResult(orgId);
  const profiles = parseEach(v.contacts, "contacts", (c) => waContactSchema.safeParse(c)).items;
  const messages = parseEach(v.messages, "messages", (m) => inboundMessageSchema.safeParse(m));
  const statuses = parseEach(v.statuses, "statuses", (s) => statusSchema.safeParse(s));
  result.problems.push(...messages.problems, ...statuses.problems);

  const thread = messages.items.filter((m) => !isMutation(m));
  const mutations = messages.items.filter(isMutation);
  const ingested = await ingestThread(orgId, account, thread, profiles, v.errors, result);
  for (const note of await mapLimit(mutations, CONCURRENCY, (m) => applyMutation(orgId, m))) if (note) result.notes.push(note);
  result.counts.messages += thread.length + mutations.length;

  if (statuses.items.length) {
    const { orphaned, advanced } = await applyStatuses(orgId, statuses.items as StatusItem[]);
    if (advanced.length) ingested.statuses = advanced;
    result.counts.statuses += statuses.items.length;
    if (orphaned) result.notes.push(`${orphaned} status(es) for messages not stored yet kept as orphans`);
  }
  if (v.errors?.length && !messages.items.length && !statuses.items.length) {
    // Value-level errors (e.g. 130429 rate limit) concern the number, not a message: keep them on the account.
    await scoped(orgId)("whatsapp_accounts").updateOne(
      { _id: account._id },
      { $push: { events: { $each: [{ field: "messages.errors", at: new Date(), value: { errors: v.errors.map(toMetaError) } }], $slice: -ACCOUNT_EVENTS_KEPT } }, $set: { updatedAt: new Date() } },
    );
    result.counts.other += v.errors.length;
    result.notes.push(`Meta reported ${v.errors.map((e) => e.code).join(", ")}`);
  }
  result.followUps = ingested;
  return result;
}

type Group = { identity: Identity; messages: InboundMessage[] };

/** A customer message within 72 h of a campaign message is its reply (the campaign funnel's definition). */
const CAMPAIGN_REPLY_WINDOW_MS = 72 * 3600_000;

/**
 * Thread messages of one delivery: per sender, the contact (one primary-key read when known) and
 * the live conversation (from the contact's hint); then ONE insert of all messages (`_id` derived
 * from the wamid, duplicates reported and skipped), then per conversation ONE bulk update with the
 * unread increment of the messages that were new. A redelivery therefore writes nothing twice.
 */
async function ingestThread(
  orgId: ObjectId,
  account: AccountRef,
  thread: InboundMessage[],
  profiles: WaContact[],
  valueErrors: WaError[] | undefined,
  result: ChangeResult,
): Promise<Omit<FollowUps, "orgId">> {
  const followUps: Omit<FollowUps, "orgId"> = { messages: [], consent: [] };
  const groups = new Map<string, Group>();
  for (const m of thread) {
    const identity = identityOf({ waId: m.from, userId: m.from_user_id }, profileFor(m, profiles));
    if (!identity) {
      result.problems.push(`message ${m.id}: sender "${m.from}" is neither a phone number nor a WhatsApp user id`);
      continue;
    }
    const g = groups.get(identity.key) ?? { identity, messages: [] };
    // The same wamid twice in one batch is one message.
    if (!g.messages.some((x) => x.id === m.id)) g.messages.push(m);
    groups.set(identity.key, g);
  }
  if (groups.size === 0) return followUps;

  const prepared = await mapLimit([...groups.values()], CONCURRENCY, async (g) => {
    const latest = g.messages.reduce((a, b) => (b.timestamp > a.timestamp ? b : a));
    const referral = g.messages.find((m) => m.referral)?.referral ?? null;
    const source = referral ? { kind: "ctwa_ad", referral: escapeKeys(referral) } : null;
    const { contact, changed } = await resolveContact(orgId, g.identity, latest.timestamp, referral);
    const conversationId = await liveConversationId(orgId, account, contact, source, latest.timestamp, (followUps.events ??= []));
    if (!contact.liveConversationIds?.[account._id.toHexString()]?.equals(conversationId)) rememberLiveConversation(orgId, g.identity.key, account._id, conversationId);
    const quoted = new Map<string, ObjectId | null>();
    for (const id of new Set(g.messages.flatMap((m) => (m.context?.id ? [m.context.id] : [])))) quoted.set(id, await quotedMessageId(orgId, id));
    const docs = g.messages.map((m) =>
      toMessageDoc(m, { orgId, accountId: account._id, contactId: contact._id, conversationId, replyToMessageId: m.context?.id ? (quoted.get(m.context.id) ?? null) : null }, valueErrors),
    );
    return { ...g, contact, contactChanged: changed, conversationId, source, docs };
  });

  const all = prepared.flatMap((p) => p.docs);
  const duplicates = await insertMessages(orgId, all);
  const isNew = new Set(all.filter((_, i) => !duplicates.has(i)).map((d) => d._id.toHexString()));

  await mapLimit(prepared, CONCURRENCY, async (p) => {
    const fresh = p.docs.filter((d) => isNew.has(d._id.toHexString()));
    const old = p.docs.filter((d) => !isNew.has(d._id.toHexString()));
    const stored = old.length ? await scoped(orgId)("messages").find({ _id: { $in: old.map((d) => d._id) } }).toArray() : [];
    // A resend of a delivery that failed after its insert: what the conversation never counted is counted now.
    const uncounted = await uncountedOf(orgId, p.conversationId, stored);
    const toApply = [...fresh, ...uncounted];
    if (toApply.length > 0) {
      await updateConversation(orgId, account, p, toApply, (followUps.events ??= []));
      await afterInsert(orgId, p.contact, p.messages, toApply, followUps);
    }
    const counted = new Set(toApply.map((d) => d._id.toHexString()));
    for (const d of stored) {
      if (!counted.has(d._id.toHexString()) && Date.now() - d.createdAt.getTime() < FOLLOW_UP_REDELIVERY_MS) followUps.messages.push(ingested(d));
    }
  });
  return followUps;
}

/**
 * Stored messages of a resend that their conversation has not counted: the earlier delivery was
 * refused between the insert and the conversation update. Only recent ones, and only in the live
 * conversation (one that was closed since counts nothing any more). One read, redeliveries only.
 */
async function uncountedOf(orgId: ObjectId, conversationId: ObjectId, stored: MessageDoc[]): Promise<MessageDoc[]> {
  const candidates = stored.filter((d) => d.conversationId.equals(conversationId) && Date.now() - d.createdAt.getTime() < UNCOUNTED_RECOVERY_MS);
  if (candidates.length === 0) return [];
  const conversation = await scoped(orgId)("conversations").findOne({ _id: conversationId }, { projection: { countedMessageIds: 1 } });
  if (!conversation) return [];
  const counted = new Set((conversation.countedMessageIds ?? []).map((id) => id.toHexString()));
  return candidates.filter((d) => !counted.has(d._id.toHexString()));
}

function ingested(d: Omit<MessageDoc, "orgId">): IngestedMessage {
  return {
    messageId: d._id,
    conversationId: d.conversationId,
    contactId: d.contactId,
    waMessageId: d.waMessageId!,
    type: d.type,
    sender: d.sender,
    sentAt: d.sentAt,
    text: d.text,
    hasMedia: !!d.media && d.media.download === "pending",
  };
}

type Sender = { identity: Identity; contact: ContactDoc; contactChanged: boolean; conversationId: ObjectId; source: InboundSummary["source"] };

async function updateConversation(orgId: ObjectId, account: AccountRef, sender: Sender, fresh: Omit<MessageDoc, "orgId">[], events: EventInput[]) {
  const { contact, conversationId, source } = sender;
  const customer = fresh.filter((d) => d.sender === "customer");
  const newest = fresh.reduce((a, b) => (b.sentAt > a.sentAt ? b : a));
  const summary: InboundSummary = {
    messageIds: fresh.map((d) => d._id),
    newCustomerMessages: customer.length,
    lastCustomerMessageAt: customer.length ? customer.reduce((a, b) => (b.sentAt > a.sentAt ? b : a)).sentAt : null,
    lastActivityAt: newest.sentAt,
    lastMessage: { preview: previewOf(newest), type: newest.type, sender: newest.sender, status: null, at: newest.sentAt },
    source,
    contact: sender.contactChanged ? contact : null,
  };
  const liveKey = liveKeyOf(contact._id, account._id);
  const outcome = await applyInbound(orgId, conversationId, liveKey, summary);
  if (outcome.kind === "applied") return;
  if (outcome.kind === "already_counted") {
    // A concurrent delivery of some of the same messages counted those; the rest still count.
    const counted = new Set(outcome.ids.map((id) => id.toHexString()));
    const rest = fresh.filter((d) => !counted.has(d._id.toHexString()));
    if (rest.length > 0) await updateConversation(orgId, account, sender, rest, events);
    return;
  }
  // The hint pointed at a conversation closed since: the messages belong to a new live one.
  const live = await openLiveConversation(orgId, account, contact, source, newest.sentAt, events);
  rememberLiveConversation(orgId, sender.identity.key, account._id, live);
  await mapLimit(fresh, CONCURRENCY, (d) => scoped(orgId)("messages").updateOne({ _id: d._id }, { $set: { conversationId: live, updatedAt: new Date() } }));
  for (const d of fresh) d.conversationId = live;
  await updateConversation(orgId, account, { ...sender, conversationId: live }, fresh, events);
}

/** Side effects of newly stored messages: consent keywords, number changes, follow-up work. */
async function afterInsert(orgId: ObjectId, contact: ContactDoc, messages: InboundMessage[], fresh: Omit<MessageDoc, "orgId">[], followUps: Omit<FollowUps, "orgId">) {
  for (const d of fresh) {
    followUps.messages.push(ingested(d));
    if (d.sender === "customer" && (d.type === "text" || d.type === "button")) {
      const change = await keywordChange(orgId, d.text);
      if (change) {
        const consent = {
          eventId: derivedId(orgId, `consent:${d.waMessageId}`),
          state: change,
          channel: "all" as const,
          source: "keyword" as const,
          detail: `"${d.text!.trim()}" in message ${d.waMessageId}`,
          at: d.sentAt,
        };
        await recordConsent(orgId, contact._id, consent, { emit: false });
        (followUps.events ??= []).push(consentChangedEvent(contact._id, consent));
        followUps.consent.push({ conversationId: d.conversationId, contactId: contact._id, waMessageId: d.waMessageId!, change });
      }
    }
    if (d.sender === "customer" && contact.lastCampaign && (contact.lastCampaign.rescheduled || d.sentAt.getTime() - contact.lastCampaign.at.getTime() < CAMPAIGN_REPLY_WINDOW_MS)) {
      (followUps.campaignReplies ??= []).push({ recipientId: contact.lastCampaign.recipientId, waMessageId: d.waMessageId!, at: d.sentAt });
    }
    const m = messages.find((x) => x.id === d.waMessageId);
    if (m?.system?.type === "user_changed_number" && m.system.wa_id) await changeContactNumber(orgId, contact._id, m.system.wa_id);
  }
}

/** `user_preferences`: a customer stopped or resumed marketing messages in WhatsApp itself. */
export async function handleUserPreferencesChange(value: Record<string, unknown>): Promise<ChangeResult> {
  const found = await accountFor(value, "user_preferences");
  if ("problem" in found) return { ...emptyResult(), problems: [found.problem] };
  const { account, v } = found;
  const orgId = account.orgId;
  const result = emptyResult(orgId);
  const profiles = parseEach(v.contacts, "contacts", (c) => waContactSchema.safeParse(c)).items;
  const prefs = parseEach(value.user_preferences, "user_preferences", (p) => userPreferenceSchema.safeParse(p));
  result.problems.push(...prefs.problems);
  await mapLimit(prefs.items, CONCURRENCY, async (p) => {
    const state = p.value === "stop" ? "opted_out" : p.value === "resume" ? "opted_in" : null;
    const identity = identityOf({ waId: p.wa_id, userId: p.user_id }, profiles.find((c) => c.wa_id === p.wa_id || (p.user_id && c.user_id === p.user_id)));
    if (p.category !== "marketing_messages" || !state || !identity) {
      result.problems.push(`user_preferences: ${p.category}=${p.value} for ${p.wa_id ?? p.user_id ?? "nobody"} is not understood`);
      return;
    }
    const { contact } = await resolveContact(orgId, identity, p.timestamp, null);
    await recordConsent(orgId, contact._id, {
      eventId: derivedId(orgId, `preference:${identity.key}:${p.category}:${p.value}:${p.timestamp.getTime()}`),
      state,
      channel: "marketing",
      source: "user_preferences_webhook",
      detail: p.detail ?? `${p.category}: ${p.value}`,
      at: p.timestamp,
    });
    result.counts.other++;
  });
  return result;
}
