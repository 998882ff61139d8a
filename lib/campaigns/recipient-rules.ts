import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { ObjectId } from "mongodb";
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { env } from "@/lib/env";
import type { CampaignDoc, ExclusionReason, RecipientVariant, StoredVariant } from "@/lib/schemas/campaign";
import type { ContactDoc } from "@/lib/schemas/contact";
import { templateSlots } from "@/lib/templates/variables";

/**
 * The pure decisions of materialising a campaign's recipients: who is excluded and why, which
 * variant a contact gets, and the variable values of their message. Kept free of I/O so they are
 * tested as tables and give the same answer on every retry of a batch.
 */

/** What other campaigns did to the contact lately (read in one query per batch). */
export type ContactHistory = { lastSentAt: Date | null; cappedAt: Date | null };

const DAY_MS = 24 * 3600_000;

/** The first exclusion that applies to the contact, or null (it is sent to). */
export function exclusionFor(
  contact: Pick<ContactDoc, "phone" | "bsuid" | "consent">,
  campaign: Pick<CampaignDoc, "exclusions"> & { category: string },
  history: ContactHistory,
  now: Date,
): ExclusionReason | null {
  const marketing = campaign.category.toUpperCase() === "MARKETING";
  if (!contact.phone && !contact.bsuid) return "no_number";
  if (contact.consent.state === "opted_out") return "opted_out";
  if (campaign.exclusions.requireOptIn && contact.consent.state !== "opted_in") return "not_opted_in";
  // 131050: the person turned off "Offers and announcements" (consent.marketing false after opting in).
  if (marketing && contact.consent.state === "opted_in" && !contact.consent.marketing) return "marketing_stopped";
  // Meta has not delivered marketing templates to US numbers since 1 Apr 2025 (131049).
  if (marketing && contact.phone?.startsWith("+1") && countryOf(contact.phone) === "US") return "us_marketing";
  if (marketing && history.cappedAt && now.getTime() - history.cappedAt.getTime() < DAY_MS) return "recently_capped";
  const cap = campaign.exclusions.frequencyCapDays;
  if (cap && history.lastSentAt && now.getTime() - history.lastSentAt.getTime() < cap * DAY_MS) return "frequency_cap";
  return null;
}

export function countryOf(phone: string | null): string | null {
  if (!phone) return null;
  return parsePhoneNumberFromString(phone)?.country ?? null;
}

/** A stable number in [0, 1) per (campaign, contact): the same contact lands in the same group on every retry. */
export function bucket(campaignId: ObjectId, contactId: ObjectId): number {
  const h = createHash("sha256").update(`${campaignId.toHexString()}:${contactId.toHexString()}`).digest();
  return h.readUInt32BE(0) / 2 ** 32;
}

/**
 * Control first (never sent), then the holdback that waits for the A/B winner, then the variants by
 * weight. Each share is of the whole audience except the holdback, which is a share of the rest.
 */
export function variantFor(campaign: Pick<CampaignDoc, "controlPercent" | "winner" | "variants">, u: number): RecipientVariant {
  const control = campaign.controlPercent / 100;
  if (u < control) return "control";
  const rest = (u - control) / (1 - control);
  if (campaign.winner && campaign.variants.length > 1) {
    const holdback = campaign.winner.holdbackPercent / 100;
    if (rest < holdback) return "holdback";
    return pickByWeight(campaign.variants, (rest - holdback) / (1 - holdback));
  }
  return pickByWeight(campaign.variants, rest);
}

function pickByWeight(variants: Pick<StoredVariant, "key" | "weight">[], u: number): "A" | "B" {
  const total = variants.reduce((s, v) => s + v.weight, 0);
  let acc = 0;
  for (const v of variants) {
    acc += v.weight / total;
    if (u < acc) return v.key;
  }
  return variants[variants.length - 1]!.key;
}

function fieldValue(contact: ContactDoc, field: string): string | null {
  if (field.startsWith("customFields.")) return contact.customFields?.[field.slice("customFields.".length)] ?? null;
  const name = contact.name ?? contact.profileName;
  switch (field) {
    case "first_name":
      return name?.trim().split(/\s+/)[0] ?? null;
    case "name":
      return name;
    case "phone":
      return contact.phone;
    case "email":
      return contact.email;
    case "company":
      return contact.company;
    case "language":
      return contact.language ?? null;
    default:
      return null;
  }
}

/**
 * The variant's variable values for one contact, by slot id. A field that is empty takes its
 * fallback; Meta refuses an empty parameter (132000), so a value that is still empty is an error
 * the composer reports before sending (see `missingValues`).
 */
export function renderValues(variant: Pick<StoredVariant, "template" | "variables">, contact: ContactDoc, recipientId: ObjectId): Record<string, string> {
  const values: Record<string, string> = {};
  for (const slot of templateSlots(variant.template)) {
    const source = variant.variables[slot.id];
    if (!source) continue;
    if (source.source === "static") values[slot.id] = source.value;
    else if (source.source === "tracked_link") values[slot.id] = clickToken(recipientId);
    else values[slot.id] = (fieldValue(contact, source.field) ?? "").trim() || source.fallback;
  }
  return values;
}

/** Slots of the template the mapping leaves without a source. */
export function unmappedSlots(variant: Pick<StoredVariant, "template" | "variables">): string[] {
  return templateSlots(variant.template)
    .filter((s) => !variant.variables[s.id])
    .map((s) => s.label);
}

// ---- click tracking ------------------------------------------------------------------------------

/**
 * A URL button's variable is the recipient's token: its id and a MAC, so /r/{token} needs no
 * lookup table and a guessed id does not count a click.
 */
export function clickToken(recipientId: ObjectId): string {
  return `${recipientId.toHexString()}${mac(recipientId)}`;
}

export function readClickToken(token: string): ObjectId | null {
  if (!/^[a-f0-9]{24}[A-Za-z0-9_-]{10}$/.test(token)) return null;
  const id = new ObjectId(token.slice(0, 24));
  const expected = Buffer.from(mac(id));
  const given = Buffer.from(token.slice(24));
  return timingSafeEqual(expected, given) ? id : null;
}

function mac(id: ObjectId): string {
  return createHmac("sha256", `campaign-click:${env().NEXTAUTH_SECRET}`).update(id.toHexString()).digest("base64url").slice(0, 10);
}

/** The template URL a tracked button must have: the app's redirect with the token as its variable. */
export function trackedUrlBase(): string {
  return new URL("/r/", env().APP_URL).toString();
}
