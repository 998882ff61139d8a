import type { ObjectId } from "mongodb";
import { rawCollection } from "@/lib/db/collections";
import { env } from "@/lib/env";
import { createOrganization } from "./create-organization";

/**
 * The demo organization (`npm run seed`, `npm run dev`, benchmarks): the oldest organization if one
 * exists, else "Demo Company" with the WhatsApp number named by the WHATSAPP_* variables.
 * Idempotent. Production installs start from the first-run setup page instead (first-run.ts).
 */
export async function ensureDefaultOrganization(): Promise<ObjectId> {
  const existing = await rawCollection("organizations").findOne({}, { sort: { createdAt: 1 }, projection: { slug: 1, timezone: 1, name: 1 } });
  const e = env();
  const whatsapp = e.WHATSAPP_PHONE_NUMBER_ID ? { phoneNumberId: e.WHATSAPP_PHONE_NUMBER_ID, wabaId: e.WHATSAPP_BUSINESS_ACCOUNT_ID ?? "", displayPhoneNumber: "" } : null;
  return createOrganization(existing ? { name: existing.name, slug: existing.slug, timezone: existing.timezone, whatsapp } : { name: "Demo Company", slug: "default", timezone: "UTC", whatsapp });
}
