import { z } from "zod";
import { idString, objectId, tenantFields } from "./common";
import { contactJourney, journeyStage } from "./journey";

export const consentStates = ["unknown", "opted_in", "opted_out"] as const;

/** A custom field's key: simple, so `customFields.<key>` is always a safe field path. */
export const CUSTOM_FIELD_KEY = /^[A-Za-z][A-Za-z0-9_ -]{0,39}$/;
export const customFieldKey = z.string().regex(CUSTOM_FIELD_KEY, "custom field names are 1-40 letters, digits, spaces, _ or -");
/** A contact's custom fields as written by a person or an API caller (checked by type in lib/contacts/custom-fields.ts). */
export const customFieldValues = z
  .record(customFieldKey, z.string().max(500))
  .refine((r) => Object.keys(r).length <= 50, "at most 50 custom fields");

/** Tags are lowercase and short; a contact has at most 30. */
export const tagName = z.string().trim().toLowerCase().min(1, "must not be empty").max(40, "must be at most 40 characters");
export const tagList = z.array(tagName).max(30, "at most 30 tags");

export const contactSource = z.object({
  kind: z.enum(["whatsapp", "ctwa_ad", "manual", "import", "widget", "campaign"]),
  /** For click-to-WhatsApp ads: Meta's referral object (source_url, source_id, headline, ctwa_clid...). */
  referral: z.record(z.string(), z.unknown()).nullable(),
  at: z.date(),
});

/**
 * A customer. Unique per organization and WhatsApp identity (`identityKey`): the E.164 phone when
 * Meta sent one, else `bsuid:<business-scoped user id>` for username users with no phone (2026+).
 */
export const contactDoc = z.object({
  ...tenantFields,
  identityKey: z.string(),
  phone: z.string().nullable(),
  waId: z.string().nullable(),
  bsuid: z.string().nullable(),
  username: z.string().nullable(),
  name: z.string().nullable(),
  profileName: z.string().nullable(),
  email: z.string().nullable(),
  company: z.string().nullable(),
  /** Postal address as one text (missing: not given). */
  address: z.string().nullable().optional(),
  /** Preferred language as a BCP 47 code (en, pt-BR); missing: not known. */
  language: z.string().nullable().optional(),
  tags: z.array(z.string()),
  /**
   * The static lists the contact is on (contact_lists), embedded rather than a join collection so a
   * segment can combine a list with any other condition in one query. Missing: on no list.
   */
  listIds: z.array(objectId).optional(),
  /** The teammate responsible for this customer (set by hand or a bulk action). Missing: nobody. */
  ownerId: objectId.nullable().optional(),
  customFields: z.record(z.string(), z.string()),
  consent: z.object({
    state: z.enum(consentStates),
    marketing: z.boolean(),
    changedAt: z.date().nullable(),
    source: z.string().nullable(),
  }),
  source: contactSource,
  lastInboundAt: z.date().nullable(),
  /** Lowercased name/phone/email tokens for portable indexed search ($text is not on the local engine). */
  searchTokens: z.array(z.string()),
  /**
   * accountId (hex) -> the contact's live conversation on that number, kept by the webhook so an
   * inbound message reaches its conversation by primary key. A hint: verified by liveKey on use.
   */
  liveConversationIds: z.record(z.string(), objectId).optional(),
  /**
   * The last campaign message sent to the contact, kept by the campaign sender so a reply is matched
   * to it without a query on every inbound message; `rescheduled` when Meta refused it with 131049
   * (it is sent again when the customer next writes).
   */
  lastCampaign: z.object({ campaignId: objectId, recipientId: objectId, at: z.date(), rescheduled: z.boolean() }).nullable().optional(),
  /**
   * The lead score, copied from lead_scores by the scoring batch (lib/scoring/rescore.ts) so the
   * directory can sort by it and a segment can filter on it in the one contacts query. Missing: not scored.
   */
  leadScore: z.number().nullable().optional(),
  /**
   * The journey stage and since when, copied from customer_journeys by lib/journey/journey.ts in the
   * same move, so the board and a segment read contacts only. Missing or null: not on the board.
   */
  journey: contactJourney.nullable().optional(),
  /** Set when the person's data was erased on request (lib/contacts/gdpr.ts): a tombstone the directory hides. */
  erasedAt: z.date().nullable().optional(),
});
export type ContactDoc = z.infer<typeof contactDoc>;

export const consentEventDoc = z.object({
  _id: objectId,
  orgId: objectId,
  contactId: objectId,
  state: z.enum(consentStates),
  channel: z.enum(["all", "marketing"]),
  source: z.enum(["keyword", "user_preferences_webhook", "agent", "import", "api", "meta_error"]),
  detail: z.string().nullable(),
  at: z.date(),
});
export type ConsentEventDoc = z.infer<typeof consentEventDoc>;

/**
 * What is left of an erased contact: a hash of their identity within the organization (it can be
 * recomputed from the same number, which is what the check needs), so a later import does not
 * quietly bring them back (with a marketing opt-in) while nothing readable about them is kept.
 */
export const suppressionDoc = z.object({
  _id: objectId,
  orgId: objectId,
  hash: z.string(),
  reason: z.literal("erased"),
  at: z.date(),
});
export type SuppressionDoc = z.infer<typeof suppressionDoc>;

/** A note about a contact (not a conversation's), shown in its timeline. */
export const contactNoteDoc = z.object({
  ...tenantFields,
  contactId: objectId,
  authorId: objectId.nullable(),
  authorName: z.string(),
  text: z.string(),
});
export type ContactNoteDoc = z.infer<typeof contactNoteDoc>;
export const contactNoteBody = z.strictObject({ text: z.string().trim().min(1, "must not be empty").max(5_000, "must be at most 5,000 characters") });

/** A tag's presentation (colour); the tag itself lives on contacts. Unique per organization and name. */
export const contactTagDoc = z.object({
  ...tenantFields,
  name: z.string(),
  color: z.string(),
});
export type ContactTagDoc = z.infer<typeof contactTagDoc>;

export const tagColors = ["slate", "red", "amber", "emerald", "sky", "violet", "pink"] as const;
export const renameTagBody = z.strictObject({ from: tagName, to: tagName }).refine((b) => b.from !== b.to, "The new name is the same as the old one");
export const tagColorBody = z.strictObject({ name: tagName, color: z.enum(tagColors) });

/** A static list of contacts (seed 002 contact_lists); membership is `listIds` on the contact. */
export const contactListDoc = z.object({
  ...tenantFields,
  name: z.string(),
  description: z.string().nullable(),
  createdBy: objectId.nullable(),
});
export type ContactListDoc = z.infer<typeof contactListDoc>;

export const contactListBody = z.strictObject({
  name: z.string().trim().min(1, "must not be empty").max(80, "must be at most 80 characters"),
  description: z.string().trim().max(300).nullable().optional(),
});

export const contactSnapshot = z.object({
  id: idString,
  name: z.string().nullable(),
  phone: z.string().nullable(),
});

// --- API shapes (inbox contact panel: GET/PATCH /api/contacts/[id]) ---

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .transform((s) => (s === "" ? null : s))
    .nullable()
    .optional();

export const updateContactBody = z
  .strictObject({
    name: optionalText(100),
    email: z
      .union([z.literal(""), z.email("must be a valid email address").max(254)])
      .transform((s) => (s === "" ? null : s.toLowerCase()))
      .nullable()
      .optional(),
    company: optionalText(100),
    address: optionalText(300),
    language: z
      .union([z.literal(""), z.string().trim().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "must be a language code such as en or pt-BR")])
      .transform((s) => (s === "" ? null : s))
      .nullable()
      .optional(),
    /** In international form (+ and the country code); stored as E.164 and becomes the contact's WhatsApp identity. */
    phone: z.string().trim().min(1).max(40).optional(),
    tags: tagList.optional(),
    /** Replaces the whole map. */
    customFields: customFieldValues.optional(),
    /** A teammate's id, or null for nobody. */
    ownerId: idString.nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, "Nothing to update");

export const contactResponse = z.object({
  id: idString,
  name: z.string().nullable(),
  profileName: z.string().nullable(),
  phone: z.string().nullable(),
  username: z.string().nullable(),
  email: z.string().nullable(),
  company: z.string().nullable(),
  address: z.string().nullable(),
  language: z.string().nullable(),
  tags: z.array(z.string()),
  customFields: z.record(z.string(), z.string()),
  consent: z.object({ state: z.enum(consentStates), marketing: z.boolean(), changedAt: z.string().nullable(), source: z.string().nullable() }),
  source: z.object({ kind: z.string(), referral: z.record(z.string(), z.unknown()).nullable(), at: z.string() }),
  lastInboundAt: z.string().nullable(),
  ownerId: z.string().nullable(),
  /** Null: not scored yet. */
  leadScore: z.number().nullable(),
  /** Null: not on the journey board. */
  journeyStage: journeyStage.nullable(),
  createdAt: z.string(),
});
export type ContactResponse = z.infer<typeof contactResponse>;
