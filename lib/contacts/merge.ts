import { ObjectId } from "mongodb";
import { scheduleLeadScore } from "@/lib/scoring/score-contact-job";
import type { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { scoped } from "@/lib/db/scoped";
import type { ContactDoc } from "@/lib/schemas/contact";
import { MERGE_UNDO_DAYS, mergeChoiceFields, type ContactMergeDoc, type mergeBody } from "@/lib/schemas/contact-merge";
import { forgetContact } from "@/lib/webhook/contacts";
import { contactSearchTokens, refreshConversationSnapshots } from "./contact-fields";
import { asSegmentQuery } from "./segments/run";

/**
 * Duplicates and merge. Suggestions come from what one person leaves twice: the same email, the
 * same WhatsApp user id on a phone contact and a username contact, the same name at the same
 * company. A merge moves everything to the survivor (conversations, messages, consent entries,
 * tickets, score and journey when the survivor has none), combines tags, lists and custom fields,
 * lets the person choose name, email and company, and is recorded with exactly what moved so it
 * can be undone for 30 days.
 */

export type DuplicatePair = { reason: "same email" | "same WhatsApp user id" | "same name and company"; contacts: ContactDoc[] };
const MAX_GROUPS = 50;

/** Groups of contacts that look like one person. Each rule is one aggregation over the organization's contacts. */
export async function suggestDuplicates(orgId: ObjectId): Promise<DuplicatePair[]> {
  const db = scoped(orgId);
  const group = (reason: DuplicatePair["reason"], match: Record<string, unknown>, key: unknown) =>
    asSegmentQuery(() =>
      db("contacts")
        .aggregate<{ _id: unknown; ids: ObjectId[] }>([
          { $match: { erasedAt: null, ...match } },
          { $group: { _id: key, ids: { $push: "$_id" }, n: { $sum: 1 } } },
          { $match: { n: { $gt: 1 } } },
          { $sort: { n: -1 } },
          { $limit: MAX_GROUPS },
        ])
        .toArray(),
    ).then((groups) => groups.map((g) => ({ reason, ids: g.ids.slice(0, 10) })));
  const found = (
    await Promise.all([
      group("same email", { email: { $ne: null } }, "$email"),
      group("same name and company", { name: { $ne: null }, company: { $ne: null } }, { name: { $toLower: "$name" }, company: { $toLower: "$company" } }),
    ])
  ).flat();
  // A phone contact that learned a user id, and a username-only contact with that id.
  const bsuidContacts = await asSegmentQuery(() => db("contacts").find({ erasedAt: null, bsuid: { $ne: null }, phone: { $ne: null } }, { projection: { bsuid: 1 }, limit: 5_000 }).toArray());
  if (bsuidContacts.length) {
    const usernameOnly = await db("contacts").find({ identityKey: { $in: bsuidContacts.map((c) => `bsuid:${c.bsuid}`) } }, { projection: { bsuid: 1 } }).toArray();
    for (const u of usernameOnly) {
      const phone = bsuidContacts.find((c) => c.bsuid === u.bsuid);
      if (phone) found.push({ reason: "same WhatsApp user id", ids: [phone._id, u._id] });
    }
  }
  const ids = [...new Set(found.flatMap((f) => f.ids.map((id) => id.toHexString())))].map((h) => new ObjectId(h));
  const contacts = ids.length ? await db("contacts").find({ _id: { $in: ids } }).toArray() : [];
  const byId = new Map(contacts.map((c) => [c._id.toHexString(), c]));
  return found.slice(0, MAX_GROUPS).map((f) => ({ reason: f.reason as DuplicatePair["reason"], contacts: f.ids.map((id) => byId.get(id.toHexString())).filter((c): c is ContactDoc => !!c) }));
}

async function live(orgId: ObjectId, id: ObjectId, what: string): Promise<ContactDoc> {
  const c = await scoped(orgId)("contacts").findOne({ _id: id });
  if (!c || c.erasedAt) throw new ApiError("not_found", `The ${what} contact was not found`);
  return c;
}

const liveKeyFor = (contactId: ObjectId, accountId: ObjectId) => `${contactId.toHexString()}:${accountId.toHexString()}`;

export async function mergeContacts(orgId: ObjectId, actor: Actor, body: z.output<typeof mergeBody>): Promise<ContactMergeDoc> {
  const db = scoped(orgId);
  const survivor = await live(orgId, new ObjectId(body.survivorId), "surviving");
  const merged = await live(orgId, new ObjectId(body.mergedId), "merged");
  const now = new Date();
  const record: Omit<ContactMergeDoc, "orgId"> = {
    _id: new ObjectId(),
    survivorId: survivor._id,
    merged,
    survivorBefore: {
      identityKey: survivor.identityKey, phone: survivor.phone, waId: survivor.waId, bsuid: survivor.bsuid, username: survivor.username,
      name: survivor.name, email: survivor.email, company: survivor.company, address: survivor.address ?? null, language: survivor.language ?? null, tags: survivor.tags, listIds: survivor.listIds ?? [], customFields: survivor.customFields,
    },
    movedConversations: [],
    movedConsentEventIds: [],
    movedTicketIds: [],
    movedLeadScore: false,
    movedJourney: false,
    status: "merging",
    createdBy: actor.id,
    undoUntil: new Date(now.getTime() + MERGE_UNDO_DAYS * 86_400_000),
    undoneAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await db("contact_merges").insertOne(record);
  forgetContact(orgId, survivor._id);
  forgetContact(orgId, merged._id);

  // Conversations: a live one moves its live key to the survivor, unless the survivor already has a
  // live conversation on that number (one per contact and number): then it is closed, kept, and moved.
  const conversations = await db("conversations").find({ contactId: merged._id }, { projection: { liveKey: 1, status: 1, accountId: 1 } }).toArray();
  // The survivor's live conversations on the numbers the merged contact has live ones on: one read.
  const targets = conversations.filter((c) => c.liveKey === liveKeyFor(merged._id, c.accountId)).map((c) => liveKeyFor(survivor._id, c.accountId));
  const taken = new Set(targets.length ? (await db("conversations").find({ liveKey: { $in: targets } }, { projection: { liveKey: 1 } }).toArray()).map((c) => c.liveKey) : []);
  const moves = conversations.map((c) => {
    const isLive = c.liveKey === liveKeyFor(merged._id, c.accountId);
    const target = liveKeyFor(survivor._id, c.accountId);
    const clash = isLive && taken.has(target);
    const liveKey = !isLive ? c.liveKey : clash ? `closed:${c._id.toHexString()}` : target;
    record.movedConversations.push({ id: c._id, liveKey: c.liveKey, status: c.status, closedForMerge: clash });
    return { updateOne: { filter: { _id: c._id }, update: { $set: { contactId: survivor._id, liveKey, ...(clash ? { status: "closed" as const } : {}), updatedAt: now } } } };
  });
  if (moves.length) await db("conversations").bulkWrite(moves, { ordered: false });
  const conversationIds = conversations.map((c) => c._id);
  if (conversationIds.length) await db("messages").updateMany({ conversationId: { $in: conversationIds } }, { $set: { contactId: survivor._id } });
  record.movedConsentEventIds = (await db("consent_events").find({ contactId: merged._id }, { projection: { _id: 1 } }).toArray()).map((e) => e._id);
  if (record.movedConsentEventIds.length) await db("consent_events").updateMany({ _id: { $in: record.movedConsentEventIds } }, { $set: { contactId: survivor._id } });
  await db("contact_notes").updateMany({ contactId: merged._id }, { $set: { contactId: survivor._id } });
  record.movedTicketIds = (await db("tickets").find({ contactId: merged._id }, { projection: { _id: 1 } }).toArray()).map((t) => t._id);
  if (record.movedTicketIds.length) await db("tickets").updateMany({ _id: { $in: record.movedTicketIds } }, { $set: { contactId: survivor._id } });
  for (const [coll, flag] of [["lead_scores", "movedLeadScore"], ["customer_journeys", "movedJourney"]] as const) {
    if (!(await db(coll).findOne({ contactId: survivor._id }, { projection: { _id: 1 } }))) {
      record[flag] = (await db(coll).updateOne({ contactId: merged._id }, { $set: { contactId: survivor._id } })).modifiedCount > 0;
    }
  }

  // The merged contact goes (its snapshot is in the record), freeing its identity for the survivor.
  await db("contacts").deleteOne({ _id: merged._id });
  const pick = (f: (typeof mergeChoiceFields)[number]) => (body.keep?.[f] === "merged" ? (merged[f] ?? survivor[f]) : (survivor[f] ?? merged[f]));
  const fields = {
    name: pick("name"),
    email: pick("email"),
    company: pick("company"),
    address: survivor.address ?? merged.address ?? null,
    language: survivor.language ?? merged.language ?? null,
    // A username-only survivor takes the merged contact's phone as its identity.
    phone: survivor.phone ?? merged.phone,
    waId: survivor.waId ?? merged.waId,
    bsuid: survivor.bsuid ?? merged.bsuid,
    username: survivor.username ?? merged.username,
    identityKey: survivor.phone ? survivor.identityKey : (merged.phone ?? survivor.identityKey),
  };
  const after = {
    ...fields,
    tags: [...new Set([...survivor.tags, ...merged.tags])],
    listIds: [...new Map([...(survivor.listIds ?? []), ...(merged.listIds ?? [])].map((id) => [id.toHexString(), id])).values()],
    customFields: { ...merged.customFields, ...survivor.customFields },
    searchTokens: contactSearchTokens(fields),
    // The journey's copy follows the journey document moved above (the survivor's own wins).
    journey: survivor.journey ?? merged.journey ?? null,
    updatedAt: now,
  };
  await db("contacts").updateOne({ _id: survivor._id }, { $set: after });
  await refreshConversationSnapshots(orgId, { ...survivor, ...after }, now);
  await db("contact_merges").updateOne({ _id: record._id }, { $set: { ...movedOf(record), status: "done", updatedAt: new Date() } });
  await recordActivity(orgId, actor, { action: "contact.merged", entityType: "contact", entityId: survivor._id, after: { mergeId: record._id.toHexString(), merged: merged._id.toHexString(), conversations: conversationIds.length } });
  // The survivor now holds both histories: its score is recomputed from them (debounced, in the background).
  await scheduleLeadScore(orgId, survivor._id, now);
  return { ...record, orgId, status: "done" };
}

/** What moved, written onto the record once the merge is through. */
function movedOf(r: Omit<ContactMergeDoc, "orgId">) {
  return { movedConversations: r.movedConversations, movedConsentEventIds: r.movedConsentEventIds, movedTicketIds: r.movedTicketIds, movedLeadScore: r.movedLeadScore, movedJourney: r.movedJourney };
}

/**
 * Undoes a merge within 30 days: the merged contact comes back as it was, what moved moves back
 * (conversations that were live become live again unless closed since), and the survivor's chosen
 * fields, tags and lists return to what they were before (changes made to them since are lost).
 */
export async function undoMerge(orgId: ObjectId, actor: Actor, id: ObjectId): Promise<void> {
  const db = scoped(orgId);
  const record = await db("contact_merges").findOne({ _id: id });
  if (!record) throw new ApiError("not_found", "Merge not found");
  if (record.status === "undone") throw new ApiError("conflict", "This merge was already undone");
  if (record.status !== "done") throw new ApiError("conflict", "This merge did not finish; it cannot be undone");
  if (record.undoUntil < new Date()) throw new ApiError("conflict", `A merge can be undone for ${MERGE_UNDO_DAYS} days; this one is older`);
  const claimed = await db("contact_merges").findOneAndUpdate({ _id: id, status: "done" }, { $set: { status: "undone", undoneAt: new Date(), updatedAt: new Date() } });
  if (!claimed) throw new ApiError("conflict", "This merge was already undone");
  const survivorId = record.survivorId;
  const merged = record.merged;
  const now = new Date();
  forgetContact(orgId, survivorId);
  // The survivor gives back the merged contact's identity first: it is unique.
  const before = record.survivorBefore;
  await db("contacts").updateOne({ _id: survivorId }, { $set: { ...before, listIds: before.listIds ?? [], searchTokens: contactSearchTokens(before), updatedAt: now } });
  const { orgId: _o, ...restored } = merged;
  await db("contacts").insertOne({ ...restored, updatedAt: now });
  const ids = record.movedConversations.map((c) => c.id);
  // Each conversation as it is now (one read): one still live on the survivor goes back to its own live key.
  const current = new Map((ids.length ? await db("conversations").find({ _id: { $in: ids } }, { projection: { liveKey: 1, accountId: 1 } }).toArray() : []).map((c) => [c._id.toHexString(), c]));
  const back = record.movedConversations.flatMap((c) => {
    const found = current.get(c.id.toHexString());
    if (!found) return [];
    const liveKey = c.closedForMerge || found.liveKey === liveKeyFor(survivorId, found.accountId) ? c.liveKey : found.liveKey;
    return [{ updateOne: { filter: { _id: c.id }, update: { $set: { contactId: merged._id, liveKey, ...(c.closedForMerge ? { status: c.status } : {}), updatedAt: now } } } }];
  });
  if (back.length) await db("conversations").bulkWrite(back, { ordered: false });
  if (ids.length) await db("messages").updateMany({ conversationId: { $in: ids } }, { $set: { contactId: merged._id } });
  if (record.movedConsentEventIds.length) await db("consent_events").updateMany({ _id: { $in: record.movedConsentEventIds } }, { $set: { contactId: merged._id } });
  if (record.movedTicketIds.length) await db("tickets").updateMany({ _id: { $in: record.movedTicketIds } }, { $set: { contactId: merged._id } });
  if (record.movedLeadScore) await db("lead_scores").updateOne({ contactId: survivorId }, { $set: { contactId: merged._id } });
  if (record.movedJourney) {
    await db("customer_journeys").updateOne({ contactId: survivorId }, { $set: { contactId: merged._id } });
    await db("contacts").updateOne({ _id: survivorId }, { $set: { journey: null } });
  }
  const survivor = await db("contacts").findOne({ _id: survivorId });
  if (survivor) await refreshConversationSnapshots(orgId, survivor, now);
  await refreshConversationSnapshots(orgId, merged, now);
  await recordActivity(orgId, actor, { action: "contact.merge_undone", entityType: "contact", entityId: survivorId, after: { mergeId: id.toHexString(), restored: merged._id.toHexString() } });
}

export function toMergeResponse(m: ContactMergeDoc) {
  return { id: m._id.toHexString(), survivorId: m.survivorId.toHexString(), mergedId: m.merged._id.toHexString(), status: m.status, undoUntil: m.undoUntil.toISOString() };
}
