import { ObjectId } from "mongodb";
import { rawCollection } from "@/lib/db/collections";
import { isDuplicateKeyError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";

/** The year in the organization's timezone: a ticket opened on 1 January at 00:30 in São Paulo is of the new year there. */
export function yearIn(timeZone: string, at: Date): number {
  try {
    return Number(new Intl.DateTimeFormat("en", { timeZone, year: "numeric" }).format(at));
  } catch {
    return at.getUTCFullYear();
  }
}

export function formatTicketNumber(year: number, seq: number): string {
  return `TICKET-${year}-${String(seq).padStart(6, "0")}`;
}

/**
 * The next `TICKET-YYYY-NNNNNN` of the organization: one atomic `$inc` on its counter for the year,
 * created by the first ticket of the year. Two first tickets racing both upsert; the unique
 * (orgId, name) index lets one insert and the other retries as an update. A number taken by an
 * insert that then fails is a gap, never handed out again.
 */
export async function nextTicketNumber(orgId: ObjectId, at = new Date()): Promise<string> {
  const org = await rawCollection("organizations").findOne({ _id: orgId }, { projection: { timezone: 1 } });
  const year = yearIn(org?.timezone ?? "UTC", at);
  const name = `ticket:${year}`;
  const counters = scoped(orgId)("counters");
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await counters.findOneAndUpdate(
        { name },
        { $inc: { seq: 1 }, $set: { updatedAt: at }, $setOnInsert: { _id: new ObjectId() } },
        { upsert: true, returnDocument: "after" },
      );
      return formatTicketNumber(year, doc!.seq);
    } catch (err) {
      if (attempt < 3 && isDuplicateKeyError(err)) continue;
      throw err;
    }
  }
}
