import { createHash } from "node:crypto";
import { ObjectId } from "mongodb";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { unescapeKeys } from "@/lib/db/safe-keys";
import { scoped } from "@/lib/db/scoped";
import type { ContactDoc } from "@/lib/schemas/contact";
import { forgetContact } from "@/lib/webhook/contacts";
import { deleteMedia } from "@/lib/whatsapp/media-store";
import { getContact } from "./contacts";

/**
 * The GDPR duties towards one person: everything held about them as one bundle (right of access,
 * art. 15), and erasure (art. 17) that keeps the organization's numbers right (conversations and
 * message counts stay, without their content) and remembers only a hash of who it was.
 */

/** The suppression hash of an identity: per organization, so the same person in two tenants hashes differently. */
export function suppressionHash(orgId: ObjectId, identityKey: string): string {
  return createHash("sha256").update(`${orgId.toHexString()}:${identityKey}`).digest("hex");
}

/** Whether these identities were erased on request (an import checks its rows with this). */
export async function suppressedIdentities(orgId: ObjectId, identityKeys: string[]): Promise<Set<string>> {
  if (identityKeys.length === 0) return new Set();
  const byHash = new Map(identityKeys.map((k) => [suppressionHash(orgId, k), k]));
  const found = await scoped(orgId)("suppressions").find({ hash: { $in: [...byHash.keys()] } }, { projection: { hash: 1 } }).toArray();
  return new Set(found.map((f) => byHash.get(f.hash)!));
}

const MAX_MESSAGES = 100_000;

/** Everything about the contact, as JSON: profile, conversations, messages, consent ledger, scores, audit entries. */
export async function exportContactData(orgId: ObjectId, id: ObjectId) {
  const db = scoped(orgId);
  const contact = await getContact(orgId, id);
  const conversations = await db("conversations").find({ contactId: id }, { sort: { createdAt: -1 } }).toArray();
  const conversationIds = conversations.map((c) => c._id);
  const [messages, consent, leadScore, journey, activity, notes] = await Promise.all([
    conversationIds.length ? db("messages").find({ conversationId: { $in: conversationIds } }, { sort: { sentAt: 1 }, limit: MAX_MESSAGES }).toArray() : [],
    db("consent_events").find({ contactId: id }, { sort: { at: -1 } }).toArray(),
    db("lead_scores").findOne({ contactId: id }),
    db("customer_journeys").findOne({ contactId: id }),
    db("activity_logs").find({ entityType: "contact", entityId: id }, { sort: { at: -1 }, limit: 1_000 }).toArray(),
    db("contact_notes").find({ contactId: id }, { sort: { createdAt: -1 }, limit: 1_000 }).toArray(),
  ]);
  const strip = <T extends { orgId?: unknown; searchTokens?: unknown }>(d: T) => {
    const { orgId: _o, searchTokens: _s, ...rest } = d;
    return rest;
  };
  return {
    exportedAt: new Date().toISOString(),
    contact: { ...strip(contact), source: { ...contact.source, referral: unescapeKeys(contact.source.referral) } },
    conversations: conversations.map(({ liveKey: _l, ...c }) => strip(c)),
    messages: messages.map((m) => ({ ...strip(m), payload: unescapeKeys(m.payload) })),
    consentHistory: consent.map(strip),
    leadScore: leadScore ? strip(leadScore) : null,
    journey: journey ? strip(journey) : null,
    notes: notes.map((n) => ({ at: n.createdAt, author: n.authorName, text: n.text })),
    auditLog: activity.map((a) => ({ at: a.at, action: a.action, actor: a.actorName, before: a.before, after: a.after })),
  };
}

const ERASED = "Erased contact";

/**
 * Erases contacts (one from its page, or a bulk action's batch of 500): personal fields removed
 * (the contact stays as a tombstone the directory hides, so its conversations still count), message
 * text, captions, payloads and media deleted, the conversations' snapshot and preview blanked and
 * the conversations closed, consent entries kept as evidence without their detail, notes and scores
 * deleted, and a suppression hash kept. One write per collection for the whole batch (a bulkWrite
 * where each document gets its own value); each step is idempotent and the contacts come last, so
 * an erase cut off half-way is finished by running it again.
 */
export async function eraseContacts(orgId: ObjectId, actor: Actor | null, contacts: ContactDoc[]): Promise<void> {
  if (contacts.length === 0) return;
  const db = scoped(orgId);
  const now = new Date();
  const ids = contacts.map((c) => c._id);
  for (const id of ids) forgetContact(orgId, id);
  const identities = new Set(contacts.flatMap((c) => [c.identityKey, c.phone, c.bsuid ? `bsuid:${c.bsuid}` : null]).filter((k): k is string => !!k && !k.startsWith("erased:")));
  if (identities.size) {
    await db("suppressions").bulkWrite(
      [...identities].map((key) => ({ updateOne: { filter: { hash: suppressionHash(orgId, key) }, update: { $setOnInsert: { _id: new ObjectId(), reason: "erased" as const, at: now } }, upsert: true } })),
      { ordered: false },
    );
  }
  const conversations = await db("conversations").find({ contactId: { $in: ids } }, { projection: { _id: 1, contactId: 1 } }).toArray();
  const conversationIds = conversations.map((c) => c._id);
  if (conversationIds.length) {
    const withMedia = await db("messages").find({ conversationId: { $in: conversationIds }, "media.fileId": { $ne: null } }, { projection: { "media.fileId": 1 } }).toArray();
    // One GridFS delete per file (its chunks); a file already gone (an earlier, cut-off erase) is fine.
    for (const m of withMedia) await deleteMedia(m.media!.fileId!).catch(() => undefined);
    await db("messages").updateMany({ conversationId: { $in: conversationIds } }, { $set: { text: null, payload: null, searchTokens: [], edited: null, updatedAt: now } });
    // Only where there is media: MongoDB refuses to set a field inside a null (and mongo-java-server
    // would instead invent a partial media object that breaks the message's response shape).
    await db("messages").updateMany({ conversationId: { $in: conversationIds }, media: { $ne: null } }, { $set: { "media.caption": null, "media.filename": null, "media.fileId": null } });
    // Closed (the liveKey rewritten as a close does), so nothing new is threaded into an erased conversation.
    await db("conversations").bulkWrite(
      conversations.map((c) => ({
        updateOne: {
          filter: { _id: c._id },
          update: {
            $set: {
              contact: { name: ERASED, phone: null, identityKey: `erased:${c.contactId.toHexString()}` },
              searchTokens: [],
              status: "closed" as const,
              liveKey: `closed:${c._id.toHexString()}`,
              unreadCount: 0,
              snoozedUntil: null,
              updatedAt: now,
            },
          },
        },
      })),
      { ordered: false },
    );
    await db("conversations").updateMany({ _id: { $in: conversationIds }, lastMessage: { $ne: null } }, { $set: { "lastMessage.preview": "" } });
    // The ad referral goes; a conversation with no source keeps null (same reason as the media above).
    await db("conversations").updateMany({ _id: { $in: conversationIds }, source: { $ne: null } }, { $set: { "source.referral": null } });
  }
  await Promise.all([
    db("consent_events").updateMany({ contactId: { $in: ids } }, { $set: { detail: null } }),
    db("contact_notes").deleteMany({ contactId: { $in: ids } }),
    db("lead_scores").deleteMany({ contactId: { $in: ids } }),
    db("customer_journeys").deleteMany({ contactId: { $in: ids } }),
  ]);
  const blank = {
    phone: null, waId: null, bsuid: null, username: null, name: null, profileName: null, email: null, company: null, address: null, language: null, ownerId: null,
    tags: [], listIds: [], customFields: {}, searchTokens: [], "source.referral": null, liveConversationIds: {}, leadScore: null, journey: null, erasedAt: now, updatedAt: now,
  };
  await db("contacts").bulkWrite(
    ids.map((id) => ({ updateOne: { filter: { _id: id }, update: { $set: { ...blank, identityKey: `erased:${id.toHexString()}` } } } })),
    { ordered: false },
  );
  if (actor) {
    for (const id of ids) {
      await recordActivity(orgId, actor, { action: "contact.erased", entityType: "contact", entityId: id, after: { conversations: conversations.filter((c) => c.contactId.equals(id)).length } });
    }
  }
}

export async function eraseContactById(orgId: ObjectId, actor: Actor, id: ObjectId): Promise<void> {
  await eraseContacts(orgId, actor, [await getContact(orgId, id)]);
}
