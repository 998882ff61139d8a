import { ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import type { Actor } from "@/lib/audit/audit";
import { createContact } from "@/lib/contacts/directory";
import { asSegmentQuery, audienceFilter } from "@/lib/contacts/segments/run";
import { toE164 } from "@/lib/phone";
import { scoped } from "@/lib/db/scoped";
import { sendMessage } from "@/lib/messaging/send-message";
import type { CampaignDoc, ExclusionReason, RecipientVariant } from "@/lib/schemas/campaign";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { MessageDoc } from "@/lib/schemas/message";
import { renderTemplateText, sendComponents } from "@/lib/templates/variables";
import { openLiveConversations } from "@/lib/webhook/conversations";
import { resolveAudience } from "./campaigns";
import { pricingOf } from "./outcomes";
import { campaignCategory, historyOf, recipientFor } from "./prepare-job";
import { renderValues } from "./recipient-rules";

/** Meta's messaging-limit tiers: unique customers reached outside a service window per moving 24 h. */
const TIER_LIMITS: Record<string, number | null> = {
  TIER_50: 50,
  TIER_250: 250,
  TIER_1K: 1_000,
  TIER_2K: 2_000,
  TIER_10K: 10_000,
  TIER_100K: 100_000,
  TIER_UNLIMITED: null,
  UNLIMITED: null,
};

export type CampaignPlan = {
  audience: number;
  recipients: number;
  excluded: Partial<Record<ExclusionReason, number>>;
  byVariant: Partial<Record<RecipientVariant, number>>;
  cost: { currency: string; total: number; byCountry: { country: string; category: string; messages: number; unitPrice: number; total: number }[] };
  limit: { tier: string | null; perDay: number | null; usedToday: number; remainingToday: number | null; exceeds: boolean };
  ratePerSecond: number;
  durationSeconds: number;
  previews: { contactId: string; name: string | null; to: string | null; variant: RecipientVariant; header: string | null; body: string; footer: string | null }[];
  warnings: string[];
};

const BATCH = 1_000;

/**
 * The pre-send plan: the audience as it is now run through the same rules the send uses
 * (`recipientFor`), so the numbers shown are the numbers sent; nothing is written.
 */
export async function planCampaign(orgId: ObjectId, c: CampaignDoc): Promise<CampaignPlan> {
  const db = scoped(orgId);
  const definition = await resolveAudience(orgId, c);
  const now = new Date();
  const excluded: CampaignPlan["excluded"] = {};
  const byVariant: CampaignPlan["byVariant"] = {};
  const byCountry = new Map<string, number>();
  const previews: CampaignPlan["previews"] = [];
  let audience = 0;
  let recipients = 0;
  let cursor: ObjectId | null = null;
  for (;;) {
    const filter = audienceFilter(definition, ...(cursor ? [{ _id: { $gt: cursor } }] : []));
    const contacts: ContactDoc[] = await asSegmentQuery(() => db("contacts").find(filter, { sort: { _id: 1 }, limit: BATCH }).toArray());
    if (contacts.length === 0) break;
    const history = await historyOf(orgId, c, contacts.map((x) => x._id), now);
    for (const contact of contacts) {
      audience++;
      const r = recipientFor(c, contact, history.get(contact._id.toHexString()) ?? { lastSentAt: null, cappedAt: null }, now);
      if (r.excludedReason) {
        excluded[r.excludedReason] = (excluded[r.excludedReason] ?? 0) + 1;
        continue;
      }
      byVariant[r.variant] = (byVariant[r.variant] ?? 0) + 1;
      if (r.variant === "control") continue;
      recipients++;
      byCountry.set(r.country ?? "other", (byCountry.get(r.country ?? "other") ?? 0) + 1);
      if (previews.length < 20) {
        const v = c.variants.find((x) => x.key === r.variant) ?? c.variants[0]!;
        previews.push({ contactId: contact._id.toHexString(), name: contact.name ?? contact.profileName, to: r.to, variant: r.variant, ...renderTemplateText(v.template, r.values) });
      }
    }
    cursor = contacts[contacts.length - 1]!._id;
    if (contacts.length < BATCH) break;
  }

  const table = await pricingOf(orgId);
  const category = campaignCategory(c).toLowerCase() as "marketing" | "utility" | "authentication";
  const costRows = [...byCountry].map(([country, messages]) => {
    const unitPrice = (table.countries[country] ?? table.default)[category];
    return { country, category, messages, unitPrice, total: round(unitPrice * messages) };
  });
  const account = await db("whatsapp_accounts").findOne({ _id: c.accountId }, { projection: { messagingLimit: 1 } });
  const tier = account?.messagingLimit ?? null;
  const perDay = tier && tier in TIER_LIMITS ? TIER_LIMITS[tier]! : null;
  const usedToday = await db("campaign_recipients").countDocuments({ sentAt: { $gte: new Date(now.getTime() - 24 * 3600_000) } });
  const remainingToday = perDay === null ? null : Math.max(0, perDay - usedToday);
  const warnings: string[] = [];
  if (recipients === 0) warnings.push("No one is left to send to after the exclusions.");
  if (remainingToday !== null && recipients > remainingToday) {
    warnings.push(`The number's messaging limit (${tier}) leaves ${remainingToday.toLocaleString("en")} new customers today; the rest will fail until the limit moves (Meta counts unique customers per 24 h).`);
  }
  if (byVariant.holdback) warnings.push(`${byVariant.holdback.toLocaleString("en")} recipients wait ${c.winner!.afterHours} h for the winning variant.`);
  return {
    audience,
    recipients,
    excluded,
    byVariant,
    cost: { currency: table.currency, total: round(costRows.reduce((s, r) => s + r.total, 0)), byCountry: costRows.sort((a, b) => b.messages - a.messages) },
    limit: { tier, perDay, usedToday, remainingToday, exceeds: remainingToday !== null && recipients > remainingToday },
    ratePerSecond: c.ratePerSecond,
    durationSeconds: Math.ceil(recipients / Math.max(1, c.ratePerSecond)),
    previews,
    warnings,
  };
}

const round = (n: number) => Math.round(n * 10_000) / 10_000;

/**
 * A test send of a variant to one number (the marketer's own phone): the contact is found or created
 * by the number, the variables rendered from it with their fallbacks, and the template sent through
 * the one send service. It is not a recipient and counts in no funnel.
 */
export async function testSend(orgId: ObjectId, actor: Actor, c: CampaignDoc, input: { phone: string; variant: "A" | "B" }): Promise<MessageDoc> {
  const phone = toE164(input.phone);
  if (!phone) throw new ApiError("unprocessable_entity", `phone: "${input.phone}" is not a valid phone number (start it with + and the country code)`);
  const v = c.variants.find((x) => x.key === input.variant);
  if (!v) throw new ApiError("unprocessable_entity", `variant: the campaign has no variant ${input.variant}`);
  const db = scoped(orgId);
  const template = await db("whatsapp_templates").findOne({ _id: v.templateId });
  if (!template || template.status !== "APPROVED") throw new ApiError("unprocessable_entity", `The template "${v.template.name}" is ${template?.status.toLowerCase() ?? "gone"}; only an approved template can be sent`);
  const now = new Date();
  // The marketer's own number is usually not a contact yet: it becomes one, as if added by hand.
  const contact = (await db("contacts").findOne({ identityKey: phone })) ?? (await createContact(orgId, actor, { phone }));
  const account = await db("whatsapp_accounts").findOne({ _id: c.accountId });
  if (!account) throw new ApiError("unprocessable_entity", "The campaign's WhatsApp number no longer exists");
  const conversations = await openLiveConversations(orgId, account, [contact], { status: "resolved", source: { kind: "campaign", referral: null }, at: now });
  const values = renderValues(v, contact, new ObjectId());
  return sendMessage(orgId, {
    conversationId: conversations.get(contact._id.toHexString())!,
    sender: "system",
    idempotencyKey: `campaign-test:${c._id.toHexString()}:${phone}:${now.getTime()}`,
    content: { type: "template", template: { name: v.template.name, language: v.template.language, components: sendComponents(v.template, values) } },
    bypassConsent: true,
  });
}
