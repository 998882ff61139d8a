import { ObjectId } from "mongodb";
import { ApiError, isDuplicateKeyError } from "@/lib/api/errors";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import type { SessionUser } from "@/lib/auth/session";
import { unescapeKeys } from "@/lib/db/safe-keys";
import { scoped } from "@/lib/db/scoped";
import type { ContactDoc, ContactResponse } from "@/lib/schemas/contact";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import { contactSearchTokens, refreshConversationSnapshots, touchesConversations } from "@/lib/contacts/contact-fields";
import { validateCustomFields } from "@/lib/contacts/custom-fields";
import { toE164 } from "@/lib/phone";
import { forgetContact } from "@/lib/webhook/contacts";
import { seesAll, visibilityFilter, type Viewer } from "./access";
import { toConversationResponse } from "./responses";

export function toContactResponse(c: ContactDoc): ContactResponse {
  return {
    id: c._id.toHexString(),
    name: c.name,
    profileName: c.profileName,
    phone: c.phone,
    username: c.username,
    email: c.email,
    company: c.company,
    address: c.address ?? null,
    language: c.language ?? null,
    tags: c.tags,
    customFields: c.customFields,
    consent: { ...c.consent, changedAt: c.consent.changedAt?.toISOString() ?? null },
    source: { kind: c.source.kind, referral: unescapeKeys(c.source.referral), at: c.source.at.toISOString() },
    lastInboundAt: c.lastInboundAt?.toISOString() ?? null,
    ownerId: c.ownerId?.toHexString() ?? null,
    createdAt: c.createdAt.toISOString(),
  };
}

async function getContactOrThrow(orgId: ObjectId, id: ObjectId): Promise<ContactDoc> {
  const contact = await scoped(orgId)("contacts").findOne({ _id: id });
  if (!contact) throw new ApiError("not_found", "Contact not found");
  return contact;
}

type ContactViewer = Viewer & Pick<SessionUser, "settings">;

/**
 * The contact if the user may see it: 404 when it is not in the organization, 403 when it has
 * conversations and the user may open none of them (the inbox's visibility rule, lib/inbox/access.ts,
 * applied to the person behind the conversations). A contact without conversations is visible.
 */
export async function getContactForUser(user: ContactViewer, id: ObjectId): Promise<ContactDoc> {
  const contact = await getContactOrThrow(user.orgId, id);
  if (seesAll(user, user.settings)) return contact;
  const conversations = scoped(user.orgId)("conversations");
  const visible = await conversations.findOne({ contactId: id, ...visibilityFilter(user, user.settings) }, { projection: { _id: 1 } });
  if (!visible && (await conversations.findOne({ contactId: id }, { projection: { _id: 1 } }))) {
    throw new ApiError("forbidden", "You do not have access to this contact");
  }
  return contact;
}

/** The contact panel: the contact, their conversations the user may see, lead score and journey stage when scored. */
export async function getContactPanel(user: ContactViewer, id: ObjectId) {
  const db = scoped(user.orgId);
  const contact = await getContactForUser(user, id);
  const visible = { contactId: id, ...visibilityFilter(user, user.settings) };
  // Counted with the user's visibility filter: a counter on the contact could not know what this user may see.
  const [conversations, conversationCount, leadScore, journey] = await Promise.all([
    db("conversations").find(visible, { sort: { createdAt: -1 }, limit: 20 }).toArray(),
    db("conversations").countDocuments(visible),
    db("lead_scores").findOne({ contactId: id }),
    db("customer_journeys").findOne({ contactId: id }),
  ]);
  return {
    contact: toContactResponse(contact),
    conversations: (conversations as ConversationDoc[]).map(toConversationResponse),
    conversationCount,
    leadScore: leadScore ? { score: leadScore.score, confidence: leadScore.confidence, factors: leadScore.factors } : null,
    journey: journey ? { stage: journey.stage, lastInteractionAt: journey.lastInteractionAt?.toISOString() ?? null } : null,
  };
}

type ContactPatch = Partial<Pick<ContactDoc, "name" | "email" | "company" | "address" | "language" | "tags" | "customFields" | "ownerId" | "phone" | "waId" | "identityKey">>;
type ContactPatchInput = Omit<ContactPatch, "ownerId" | "waId" | "identityKey"> & { ownerId?: string | null };

/** Inline edits from the contact panel; a new name also updates the snapshot every conversation of the contact carries. */
export async function updateContact(orgId: ObjectId, actor: Actor, id: ObjectId, input: ContactPatchInput): Promise<ContactDoc> {
  const db = scoped(orgId);
  const before = await getContactOrThrow(orgId, id);
  const { ownerId, phone, ...rest } = input;
  const patch: ContactPatch = { ...rest };
  if (phone !== undefined && phone !== null) {
    const e164 = phone.startsWith("+") ? toE164(phone) : null;
    if (!e164) throw new ApiError("unprocessable_entity", `phone: "${phone}" is not a phone number with + and its country code`);
    if (e164 !== before.phone) {
      // The phone becomes the WhatsApp identity (a username contact keeps its user id in `bsuid`, which the webhook also matches).
      Object.assign(patch, { phone: e164, waId: e164.slice(1), identityKey: e164 });
    }
  }
  // Typed custom fields (lib/contacts/custom-fields.ts): normalised, or a 422 naming the field.
  if (patch.customFields) patch.customFields = await validateCustomFields(orgId, patch.customFields);
  if (ownerId !== undefined) {
    if (ownerId && !(await db("users").findOne({ _id: new ObjectId(ownerId), active: true }, { projection: { _id: 1 } }))) {
      throw new ApiError("unprocessable_entity", "ownerId: that teammate was not found");
    }
    patch.ownerId = ownerId ? new ObjectId(ownerId) : null;
  }
  const changed = Object.fromEntries(
    Object.entries(patch).filter(([k, v]) => v !== undefined && JSON.stringify(v) !== JSON.stringify(before[k as keyof ContactPatch])),
  ) as ContactPatch;
  if (Object.keys(changed).length === 0) return before;
  if (changed.tags) changed.tags = [...new Set(changed.tags)];
  const next = { ...before, ...changed };
  const now = new Date();
  let updated;
  try {
    updated = await db("contacts").findOneAndUpdate({ _id: id }, { $set: { ...changed, searchTokens: contactSearchTokens(next), updatedAt: now } }, { returnDocument: "after" });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw new ApiError("conflict", `Another contact already has the phone ${changed.phone}: merge the two instead`);
    throw err;
  }
  if (changed.identityKey) forgetContact(orgId, id);
  if (touchesConversations(changed)) await refreshConversationSnapshots(orgId, next, now);
  await recordActivity(orgId, actor, {
    action: "contact.updated",
    entityType: "contact",
    entityId: id,
    before: Object.fromEntries(Object.keys(changed).map((k) => [k, before[k as keyof ContactPatch] ?? null])),
    after: changed,
  });
  return updated as ContactDoc;
}
