import { ObjectId } from "mongodb";
import { ensureDefaultAgents } from "@/lib/ai/agents";
import { env } from "@/lib/env";
import { defaultSettings } from "@/lib/schemas/settings";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";

/**
 * A fresh install has one organization, its settings, and the WhatsApp account named by the
 * WHATSAPP_* variables. Idempotent: safe at every server start and in every seed.
 */
export async function ensureDefaultOrganization(): Promise<ObjectId> {
  const orgs = rawCollection("organizations");
  const now = new Date();
  const existing = await orgs.findOne({}, { sort: { createdAt: 1 } });
  let orgId = existing?._id;
  if (!orgId) {
    const res = await orgs.findOneAndUpdate(
      { slug: "default" },
      { $setOnInsert: { _id: new ObjectId(), name: "Demo Company", slug: "default", timezone: "UTC", createdAt: now, updatedAt: now } },
      { upsert: true, returnDocument: "after" },
    );
    orgId = res!._id;
  }
  const db = scoped(orgId);
  await db("settings").updateOne(
    {},
    { $setOnInsert: { ...defaultSettings, _id: new ObjectId(), updatedAt: now, updatedBy: null } },
    { upsert: true },
  );
  await ensureDefaultAgents(orgId, now);
  const e = env();
  if (e.WHATSAPP_PHONE_NUMBER_ID) {
    await rawCollection("whatsapp_accounts").updateOne(
      { phoneNumberId: e.WHATSAPP_PHONE_NUMBER_ID },
      {
        $setOnInsert: {
          _id: new ObjectId(),
          orgId,
          phoneNumberId: e.WHATSAPP_PHONE_NUMBER_ID,
          wabaId: e.WHATSAPP_BUSINESS_ACCOUNT_ID ?? "",
          displayPhoneNumber: "",
          verifiedName: null,
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
      { upsert: true },
    );
  }
  return orgId;
}
