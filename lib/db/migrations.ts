import { rawCollection, type CollectionName } from "./collections";

/**
 * Fields earlier versions wrote and nothing reads any more: the time buckets and `assigned`,
 * derived keys a local engine without index use needed to push a filter down.
 */
export const OBSOLETE_FIELDS: Partial<Record<CollectionName, string[]>> = {
  conversations: ["activityHour", "activityDay", "activityMonth", "updatedMinute", "assigned"],
  messages: ["sentHour", "sentDay", "sentMonth"],
};

export type MigrationReport = { collection: string; fields: string[]; updated: number }[];

/**
 * Brings documents written by earlier versions to the current shape. Idempotent: it only touches
 * documents that still carry an obsolete field, so a second run updates nothing. Run by
 * `npm run db:indexes` (deploy) and `npm run dev`.
 */
export async function migrate(): Promise<MigrationReport> {
  const report: MigrationReport = [];
  for (const [collection, fields] of Object.entries(OBSOLETE_FIELDS)) {
    const res = await rawCollection(collection as CollectionName).updateMany(
      { $or: fields.map((f) => ({ [f]: { $exists: true } })) },
      { $unset: Object.fromEntries(fields.map((f) => [f, ""])) },
    );
    report.push({ collection, fields, updated: res.modifiedCount });
  }
  report.push({ collection: "settings", fields: ["retentionDays"], updated: await splitRetention() });
  return report;
}

/**
 * One `retentionDays` became three periods (webhook logs, job records, AI runs): an organization
 * that had set it keeps it for all three, as before, until an admin changes them.
 */
async function splitRetention(): Promise<number> {
  const settings = rawCollection("settings");
  const old = await settings.find({ retentionDays: { $exists: true } } as never).toArray();
  for (const doc of old) {
    const d = doc as unknown as Record<string, number | undefined>;
    const days = d.retentionDays!;
    await settings.updateOne({ _id: doc._id }, {
      $set: { webhookLogRetentionDays: d.webhookLogRetentionDays ?? days, jobLogRetentionDays: d.jobLogRetentionDays ?? days, aiRunRetentionDays: d.aiRunRetentionDays ?? days },
      $unset: { retentionDays: "" },
    } as never);
  }
  return old.length;
}
