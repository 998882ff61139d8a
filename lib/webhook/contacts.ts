import { ObjectId } from "mongodb";
import { emitLifecycle } from "@/lib/automation/emit";
import { isDuplicateKeyError } from "@/lib/api/errors";
import { escapeKeys } from "@/lib/db/safe-keys";
import { scoped } from "@/lib/db/scoped";
import { toE164 } from "@/lib/phone";
import type { ContactDoc } from "@/lib/schemas/contact";
import { contactSearchTokens } from "@/lib/contacts/contact-fields";
import { derivedId } from "./accounts";
import type { InboundMessage, WaContact } from "./envelope";

/** Who sent an inbound item: the phone when Meta sent one, else the business-scoped user id (BSUID). */
export type Identity = {
  /** `identityKey` of a contact created for it: E.164 phone, else `bsuid:<user id>`. */
  key: string;
  phone: string | null;
  waId: string | null;
  bsuid: string | null;
  username: string | null;
  profileName: string | null;
};

/** Contacts are touched at most this often just to move `lastInboundAt` (the conversation has the exact time). */
const LAST_INBOUND_REFRESH_MS = 10 * 60_000;

export function identityOf(from: { waId?: string | null; userId?: string | null }, profile?: WaContact): Identity | null {
  const waId = from.waId ?? profile?.wa_id ?? null;
  const phone = waId ? toE164(waId) : null;
  const bsuid = from.userId ?? profile?.user_id ?? null;
  if (!phone && !bsuid) return null;
  return {
    key: phone ?? `bsuid:${bsuid}`,
    phone,
    waId: phone ? waId : null,
    bsuid,
    username: profile?.profile?.username ?? null,
    profileName: profile?.profile?.name?.trim() || null,
  };
}

/** The `contacts[]` entry describing a message's sender (matched by wa_id or user id; a lone entry is the sender). */
export function profileFor(m: Pick<InboundMessage, "from" | "from_user_id">, profiles: WaContact[]): WaContact | undefined {
  return (
    profiles.find((c) => (m.from && c.wa_id === m.from) || (m.from_user_id && c.user_id === m.from_user_id)) ??
    (profiles.length === 1 ? profiles[0] : undefined)
  );
}

/** A resolved sender: `changed` when this delivery changed what conversations show of the contact (name, phone, username). */
export type ResolvedContact = { contact: ContactDoc; changed: boolean };

/**
 * Contacts this instance resolved in the last minute, by organization and identity, so a customer's
 * burst of messages costs one contact read rather than one per message. A cached copy is only used
 * when nothing about the contact needs writing (any write re-reads it first, so an agent's edit is
 * never overwritten from a stale copy). What it serves is then the contact id, which never changes,
 * and the live-conversation hint, which `applyInbound` verifies before trusting it.
 */
const RECENT_TTL_MS = 60_000;
const RECENT_MAX = 20_000;
const recent = new Map<string, { contact: ContactDoc; at: number }>();
const recentKey = (orgId: ObjectId, identityKey: string) => `${orgId.toHexString()}:${identityKey}`;

function remember(orgId: ObjectId, identityKey: string, contact: ContactDoc) {
  const key = recentKey(orgId, identityKey);
  recent.delete(key);
  if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value!);
  recent.set(key, { contact, at: Date.now() });
}

/** The sender's live conversation on an account is now this one (just opened, or the hint was stale). */
export function rememberLiveConversation(orgId: ObjectId, identityKey: string, accountId: ObjectId, conversationId: ObjectId) {
  const hit = recent.get(recentKey(orgId, identityKey));
  if (hit) hit.contact = { ...hit.contact, liveConversationIds: { ...hit.contact.liveConversationIds, [accountId.toHexString()]: conversationId } };
}

/**
 * Drops every cached copy of a contact (its identity moved, or it was erased). Other instances
 * drop theirs within RECENT_TTL_MS; docs/contacts.md says what that means for an erasure.
 */
export function forgetContact(orgId: ObjectId, contactId: ObjectId) {
  for (const [key, v] of recent) if (v.contact.orgId.equals(orgId) && v.contact._id.equals(contactId)) recent.delete(key);
}

/**
 * Finds or creates the contact for an identity and brings its WhatsApp fields up to date. Contacts
 * created here get `_id = derivedId(identityKey)`, so the usual case is one primary-key read (none
 * when this instance saw the sender in the last minute, see `recent`); a contact created elsewhere
 * (import, agent) is found by identity, a BSUID-only sender also through a phone contact that
 * already carries that BSUID. Concurrent first messages race on the unique `identityKey`/`_id` and
 * the loser re-reads.
 */
export async function resolveContact(
  orgId: ObjectId,
  identity: Identity,
  at: Date,
  referral: Record<string, unknown> | null,
): Promise<ResolvedContact> {
  const hit = recent.get(recentKey(orgId, identity.key));
  if (hit && Date.now() - hit.at < RECENT_TTL_MS && Object.keys(pendingChanges(hit.contact, identity, at, referral)).length === 0) {
    return { contact: hit.contact, changed: false };
  }
  const contacts = scoped(orgId)("contacts");
  const id = derivedId(orgId, `contact:${identity.key}`);
  const byIdentity = () =>
    identity.phone && identity.bsuid
      ? contacts.findOne({ $or: [{ identityKey: identity.phone }, { bsuid: identity.bsuid }] })
      : identity.phone
        ? contacts.findOne({ identityKey: identity.phone })
        : contacts.findOne({ bsuid: identity.bsuid });

  let contact = await contacts.findOne({ _id: id });
  // An erased contact keeps its id as a tombstone: the person writing again is a new contact.
  const idTaken = !!contact?.erasedAt;
  if (idTaken) contact = null;
  contact ??= await byIdentity();
  if (!contact) {
    const now = new Date();
    const fresh: Omit<ContactDoc, "orgId"> = {
      _id: idTaken ? new ObjectId() : id,
      identityKey: identity.key,
      phone: identity.phone,
      waId: identity.waId,
      bsuid: identity.bsuid,
      username: identity.username,
      name: identity.profileName,
      profileName: identity.profileName,
      email: null,
      company: null,
      tags: [],
      customFields: {},
      consent: { state: "unknown", marketing: false, changedAt: null, source: null },
      source: referral ? { kind: "ctwa_ad", referral: escapeKeys(referral), at } : { kind: "whatsapp", referral: null, at },
      lastInboundAt: at,
      searchTokens: contactSearchTokens({ identityKey: identity.key, name: identity.profileName, phone: identity.phone, username: identity.username, email: null, company: null }),
      liveConversationIds: {},
      createdAt: now,
      updatedAt: now,
    };
    try {
      await contacts.insertOne(fresh);
      remember(orgId, identity.key, { ...fresh, orgId });
      await emitLifecycle(orgId, "contact_created", { contactId: fresh._id }, { source: fresh.source.kind }, now);
      return { contact: { ...fresh, orgId }, changed: true };
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      contact = (idTaken ? null : await contacts.findOne({ _id: id })) ?? (await byIdentity());
      if (!contact) throw err;
    }
  }
  const set = pendingChanges(contact, identity, at, referral);
  if (Object.keys(set).length > 0) {
    if (set.name || set.phone || set.username) set.searchTokens = contactSearchTokens({ ...contact, ...set });
    set.updatedAt = new Date();
    // `$max`: concurrent deliveries of one sender run in any order, the time only moves forward.
    const { lastInboundAt, ...fields } = set;
    await contacts.updateOne({ _id: contact._id }, { $set: fields, ...(lastInboundAt ? { $max: { lastInboundAt } } : {}) });
  }
  const resolved = { ...contact, ...set };
  remember(orgId, identity.key, resolved);
  return { contact: resolved, changed: !!(set.name || set.phone || set.username) };
}

/** What an inbound item changes on a contact's WhatsApp fields (empty: nothing to write). */
function pendingChanges(contact: ContactDoc, identity: Identity, at: Date, referral: Record<string, unknown> | null): Partial<ContactDoc> {
  const set: Partial<ContactDoc> = {};
  if (identity.profileName && identity.profileName !== contact.profileName) set.profileName = identity.profileName;
  // The WhatsApp profile name fills an empty name; a name an agent typed is never overwritten.
  if (!contact.name && identity.profileName) set.name = identity.profileName;
  if (identity.bsuid && identity.bsuid !== contact.bsuid) set.bsuid = identity.bsuid;
  if (identity.username && identity.username !== contact.username) set.username = identity.username;
  if (identity.phone && !contact.phone) Object.assign(set, { phone: identity.phone, waId: identity.waId });
  if (referral && contact.source.kind === "whatsapp") set.source = { kind: "ctwa_ad", referral: escapeKeys(referral), at };
  // Contacts are touched at most every few minutes just to move `lastInboundAt` (the conversation has the exact time).
  const stale = !contact.lastInboundAt || at.getTime() - contact.lastInboundAt.getTime() > LAST_INBOUND_REFRESH_MS;
  if ((Object.keys(set).length > 0 || stale) && (!contact.lastInboundAt || at > contact.lastInboundAt)) set.lastInboundAt = at;
  return set;
}

/** A customer changed their number (system message `user_changed_number`): move the identity unless the new number is already a contact. */
export async function changeContactNumber(orgId: ObjectId, contactId: ObjectId, newWaId: string) {
  const phone = toE164(newWaId);
  if (!phone) return;
  forgetContact(orgId, contactId);
  try {
    await scoped(orgId)("contacts").updateOne(
      { _id: contactId },
      { $set: { identityKey: phone, phone, waId: newWaId, updatedAt: new Date() } },
    );
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
}
