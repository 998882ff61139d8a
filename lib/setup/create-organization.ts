import { ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { ensureDefaultAgents } from "@/lib/ai/agents";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { defaultSettings } from "@/lib/schemas/settings";

export type NewOrganization = {
  name: string;
  slug: string;
  timezone: string;
  whatsapp: { phoneNumberId: string; wabaId: string; displayPhoneNumber: string } | null;
};

/**
 * An organization with its settings (business hours in its time zone), default AI agents and, when
 * given, its WhatsApp number. Every write is an upsert on a unique key (slug, orgId, type,
 * phoneNumberId), so running it again (a retried setup, every seed) changes nothing.
 */
export async function createOrganization(input: NewOrganization): Promise<ObjectId> {
  const now = new Date();
  const org = await rawCollection("organizations").findOneAndUpdate(
    { slug: input.slug },
    { $setOnInsert: { _id: new ObjectId(), name: input.name, slug: input.slug, timezone: input.timezone, createdAt: now, updatedAt: now } },
    { upsert: true, returnDocument: "after" },
  );
  const orgId = org!._id;
  await scoped(orgId)("settings").updateOne(
    {},
    {
      $setOnInsert: {
        ...defaultSettings,
        businessHours: { ...defaultSettings.businessHours, timezone: input.timezone },
        _id: new ObjectId(),
        updatedAt: now,
        updatedBy: null,
      },
    },
    { upsert: true },
  );
  await ensureDefaultAgents(orgId, now);
  if (input.whatsapp) await connectNumber(orgId, input.whatsapp, now);
  return orgId;
}

async function connectNumber(orgId: ObjectId, number: NonNullable<NewOrganization["whatsapp"]>, now: Date) {
  const accounts = rawCollection("whatsapp_accounts");
  const account = await accounts.findOneAndUpdate(
    { phoneNumberId: number.phoneNumberId },
    {
      $setOnInsert: {
        _id: new ObjectId(),
        orgId,
        phoneNumberId: number.phoneNumberId,
        wabaId: number.wabaId,
        displayPhoneNumber: number.displayPhoneNumber,
        verifiedName: null,
        // The number's token: the deployment's WHATSAPP_ACCESS_TOKEN unless the account gets its own.
        accessToken: null,
        qualityRating: null,
        messagingLimit: null,
        throughputMps: 80,
        status: "connected",
        events: [],
        tokenError: null,
        createdAt: now,
        updatedAt: now,
      },
    },
    { upsert: true, returnDocument: "after" },
  );
  if (!account!.orgId.equals(orgId)) throw new ApiError("conflict", `The WhatsApp number ${number.phoneNumberId} already belongs to another organization`);
}
