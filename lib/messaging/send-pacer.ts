import type { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";

/**
 * The share of a number's throughput that paced sends plan for: the rest absorbs clock and network
 * jitter, and the inbox's own replies, which count against the same limit (130429 above it).
 */
export const PACING_HEADROOM = 0.97;

/**
 * Reserves the moment a batch of `messages` may go out on a WhatsApp number, shared by every
 * instance sending on it (a GCRA-style virtual schedule on the number's document): the reservation
 * starts at the later of now and the end of the previous one, and moves that end by the batch's
 * share of a second. A delivery that is late (a retry, a crashed instance's job) takes the next free
 * moment instead of bursting into a second already full, and a reservation a crash never used is
 * only a gap. Two single-document writes; returns the reserved moment (epoch ms) and the wait for it.
 */
export async function reserveSendTime(orgId: ObjectId, accountId: ObjectId, messages: number, ratePerSecond: number): Promise<{ startAt: number; waitMs: number }> {
  const accounts = scoped(orgId)("whatsapp_accounts");
  const now = Date.now();
  const cost = (messages * 1000) / (ratePerSecond * PACING_HEADROOM);
  // An idle number's schedule restarts from now (a no-op while it is busy).
  await accounts.updateOne({ _id: accountId, $or: [{ sendPacedUntil: { $exists: false } }, { sendPacedUntil: { $lt: now } }] }, { $set: { sendPacedUntil: now } });
  const after = await accounts.findOneAndUpdate({ _id: accountId }, { $inc: { sendPacedUntil: cost } }, { returnDocument: "after", projection: { sendPacedUntil: 1 } });
  const startAt = (after?.sendPacedUntil ?? now + cost) - cost;
  return { startAt, waitMs: Math.max(0, Math.round(startAt - Date.now())) };
}
