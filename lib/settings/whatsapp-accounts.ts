import type { ObjectId } from "mongodb";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { scoped } from "@/lib/db/scoped";

/**
 * How campaigns send through a number. Meta sets the throughput (80/s by default, 1,000 after an
 * upgrade, 20 for coexistence numbers; the upgrade webhook raises it here); an admin may set it
 * lower, for instance to keep a test number slow, never above Meta's ceiling of 1,000.
 */
export const accountSendingBody = z
  .strictObject({
    throughputMps: z.number({ error: "must be a whole number from 1 to 1000" }).int("must be a whole number from 1 to 1000").min(1, "must be a whole number from 1 to 1000").max(1000, "must be a whole number from 1 to 1000").optional(),
    marketingMessagesApi: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, "Nothing to update");

export async function updateAccountSending(orgId: ObjectId, actor: Actor, id: ObjectId, body: z.infer<typeof accountSendingBody>) {
  const db = scoped(orgId)("whatsapp_accounts");
  const before = await db.findOne({ _id: id }, { projection: { throughputMps: 1, marketingMessagesApi: 1 } });
  if (!before) throw new ApiError("not_found", "WhatsApp number not found");
  const after = await db.findOneAndUpdate({ _id: id }, { $set: { ...body, updatedAt: new Date() } }, { returnDocument: "after", projection: { throughputMps: 1, marketingMessagesApi: 1 } });
  await recordActivity(orgId, actor, { action: "whatsapp_account.sending_updated", entityType: "whatsapp_account", entityId: id, before: { throughputMps: before.throughputMps, marketingMessagesApi: before.marketingMessagesApi ?? false }, after: body });
  return { id: id.toHexString(), throughputMps: after!.throughputMps, marketingMessagesApi: after!.marketingMessagesApi ?? false };
}
