import { ObjectId } from "mongodb";
import { contactSearchTokens } from "@/lib/contacts/contact-fields";
import { scoped } from "@/lib/db/scoped";
import type { CampaignInput } from "@/lib/schemas/campaign";
import type { ContactDoc } from "@/lib/schemas/contact";
import { syncTemplates } from "@/lib/whatsapp/templates";

/** `count` opted-in Brazilian contacts tagged `promo` (phones +55 11 9xxxx-xxxx from `start`), with `extra` by position (0..count-1). */
export async function campaignContacts(orgId: ObjectId, count: number, extra: (i: number) => Partial<Omit<ContactDoc, "orgId">> = () => ({}), start = 0) {
  const now = new Date();
  const docs = Array.from({ length: count }, (_, k) => {
    const i = start + k;
    const phone = `+55119${String(10_000_000 + i).padStart(8, "0")}`;
    const base = {
      _id: new ObjectId(),
      identityKey: phone,
      phone,
      waId: phone.slice(1),
      bsuid: null,
      username: null,
      name: `Cliente ${i}`,
      profileName: null,
      email: null,
      company: null,
      tags: ["promo"],
      customFields: {},
      consent: { state: "opted_in" as const, marketing: true, changedAt: now, source: "import" },
      source: { kind: "import" as const, referral: null, at: now },
      lastInboundAt: null,
      searchTokens: [] as string[],
      createdAt: now,
      updatedAt: now,
      ...extra(k),
    };
    return { ...base, searchTokens: contactSearchTokens(base) };
  });
  if (docs.length) await scoped(orgId)("contacts").insertMany(docs);
  return docs;
}

/** The simulator's demo templates, mirrored into the organization (welcome_offer is MARKETING with 3 body variables). */
export async function syncedTemplates(orgId: ObjectId, accountId: ObjectId) {
  await syncTemplates(orgId, accountId);
  const list = await scoped(orgId)("whatsapp_templates").find({}).toArray();
  const byName = (name: string) => list.find((t) => t.name === name)!;
  return { list, byName };
}

/** A campaign input sending welcome_offer to the `promo` tag, its three variables mapped. */
export function welcomeOfferInput(templateId: ObjectId, patch: Partial<CampaignInput> = {}): CampaignInput {
  return {
    name: "Spring sale",
    audience: { segmentId: null, definition: { match: "all", conditions: [{ field: "tags", op: "has_any", value: ["promo"] }] } },
    exclusions: { requireOptIn: true, frequencyCapDays: null },
    variants: [
      {
        key: "A",
        templateId: templateId.toHexString(),
        weight: 100,
        variables: {
          "body:1": { source: "field", field: "first_name", fallback: "there" },
          "body:2": { source: "static", value: "15%" },
          "body:3": { source: "static", value: "SPRING15" },
        },
      },
    ],
    controlPercent: 0,
    winner: null,
    conversion: null,
    ...patch,
  };
}
