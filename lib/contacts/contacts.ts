import { ObjectId } from "mongodb";
import { ApiError, isDuplicateKeyError } from "@/lib/api/errors";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { unescapeKeys } from "@/lib/db/safe-keys";
import { scoped } from "@/lib/db/scoped";
import { toE164 } from "@/lib/phone";
import type { ContactDoc, ContactResponse } from "@/lib/schemas/contact";
import { forgetContact } from "@/lib/webhook/contacts";
import { contactSearchTokens, refreshConversationSnapshots, touchesConversations } from "./contact-fields";
import { validateCustomFields } from "./custom-fields";
import { emitEvent } from "@/lib/outbound-webhooks/emit";
import { contactData } from "@/lib/outbound-webhooks/payloads";

/**
 * The contact record itself: its API shape, the one read that every contact route starts from, and
 * edits (the inbox panel and the contact's page send the same PATCH). Who may see a contact is the
 * caller's rule (the inbox's visibility, the directory's permission).
 */
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
    leadScore: c.leadScore ?? null,
    journeyStage: c.journey?.stage ?? null,
    createdAt: c.createdAt.toISOString(),
  };
}

/** How a contact is named on cards and in messages: their name, WhatsApp profile name, phone or username. */
export function contactLabel(c: Pick<ContactDoc, "name" | "profileName" | "phone" | "username">, fallback = "Unnamed customer"): string {
  return c.name ?? c.profileName ?? c.phone ?? c.username ?? fallback;
}

/** The contact, or a 404: also for an erased one (a tombstone is nobody's contact any more). */
export async function getContact(orgId: ObjectId, id: ObjectId): Promise<ContactDoc> {
  const contact = await scoped(orgId)("contacts").findOne({ _id: id });
  if (!contact || contact.erasedAt) throw new ApiError("not_found", "Contact not found");
  return contact;
}

type ContactPatch = Partial<Pick<ContactDoc, "name" | "email" | "company" | "address" | "language" | "tags" | "customFields" | "ownerId" | "phone" | "waId" | "identityKey">>;
type ContactPatchInput = Omit<ContactPatch, "ownerId" | "waId" | "identityKey"> & { ownerId?: string | null };

/** Edits of a contact's fields; a new name or phone also updates the snapshot every conversation of the contact carries. */
export async function updateContact(orgId: ObjectId, actor: Actor, id: ObjectId, input: ContactPatchInput): Promise<ContactDoc> {
  const db = scoped(orgId);
  const before = await getContact(orgId, id);
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
  await emitEvent(orgId, "contact.updated", { ...contactData(updated as ContactDoc), changed: Object.keys(changed).filter((k) => k !== "waId" && k !== "identityKey") });
  return updated as ContactDoc;
}
