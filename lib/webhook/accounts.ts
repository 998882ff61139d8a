import { createHash } from "node:crypto";
import { ObjectId } from "mongodb";
import { rawCollection } from "@/lib/db/collections";
import type { WhatsappAccountDoc } from "@/lib/schemas/whatsapp-account";

export type AccountRef = Pick<WhatsappAccountDoc, "_id" | "orgId" | "phoneNumberId" | "wabaId" | "displayPhoneNumber">;

/**
 * phone_number_id -> account, cached per process for a minute: it is read on every webhook and
 * almost never changes. Misses are not cached, so an account added for an unknown number is found
 * on Meta's next retry or an admin's replay.
 */
const TTL_MS = 60_000;
const cache = new Map<string, { account: AccountRef; until: number }>();
const projection = { _id: 1, orgId: 1, phoneNumberId: 1, wabaId: 1, displayPhoneNumber: 1 } as const;

export async function accountByPhoneNumberId(phoneNumberId: string): Promise<AccountRef | null> {
  const hit = cache.get(phoneNumberId);
  if (hit && hit.until > Date.now()) return hit.account;
  // Unscoped on purpose: the organization is what this lookup finds out.
  const account = await rawCollection("whatsapp_accounts").findOne({ phoneNumberId }, { projection });
  if (!account) return null;
  cache.set(phoneNumberId, { account, until: Date.now() + TTL_MS });
  return account;
}

/** Management webhooks (templates, account updates) carry only the WABA id in `entry[].id`. */
export async function accountsByWabaId(wabaId: string): Promise<AccountRef[]> {
  return rawCollection("whatsapp_accounts").find({ wabaId }, { projection }).toArray();
}

/**
 * A stable ObjectId derived from the organization and a natural key (`wa:<wamid>`, an identity key).
 * Documents created from webhooks get it as `_id`, so a redelivery collides on `_id` (idempotent
 * insert) and is found again by primary key without a secondary-index lookup.
 */
export function derivedId(orgId: ObjectId, naturalKey: string): ObjectId {
  return new ObjectId(createHash("sha256").update(orgId.toHexString()).update("\0").update(naturalKey).digest().subarray(0, 12));
}
