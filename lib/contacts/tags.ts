import { ObjectId } from "mongodb";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { scoped } from "@/lib/db/scoped";
import type { ContactTagDoc } from "@/lib/schemas/contact";
import { startBulkAction, type BulkStart } from "./bulk";
import { asSegmentQuery } from "./segments/run";

export type TagUsage = { name: string; count: number; color: string };
const MAX_TAGS = 500;

/**
 * Every tag in use with how many contacts carry it, most used first, and its colour. One
 * aggregation over the organization's contacts (run as a segment-style query: it reads them all,
 * bounded by the tenant), plus the colours.
 */
export async function tagUsage(orgId: ObjectId): Promise<TagUsage[]> {
  const db = scoped(orgId);
  const [counts, colors] = await Promise.all([
    asSegmentQuery(() =>
      db("contacts")
        .aggregate<{ _id: string; count: number }>([{ $match: { erasedAt: null } }, { $unwind: "$tags" }, { $group: { _id: "$tags", count: { $sum: 1 } } }, { $sort: { count: -1, _id: 1 } }, { $limit: MAX_TAGS }])
        .toArray(),
    ),
    db("contact_tags").find({}, { limit: 2_000 }).toArray(),
  ]);
  const colorOf = new Map(colors.map((c) => [c.name, c.color]));
  return counts.map((c) => ({ name: c._id, count: c.count, color: colorOf.get(c._id) ?? "slate" }));
}

/** Renames a tag everywhere (a bulk action); into a tag that exists, the two become one. The colour follows. */
export async function renameTag(orgId: ObjectId, actor: Actor, from: string, to: string): Promise<BulkStart> {
  const started = await startBulkAction(orgId, actor, {
    action: { kind: "rename_tag", from, to },
    definition: { match: "all", conditions: [{ field: "tags", op: "has_any", value: [from] }] },
  });
  const tags = scoped(orgId)("contact_tags");
  const old = await tags.findOne({ name: from });
  if (old && !(await tags.findOne({ name: to }))) await setTagColor(orgId, actor, to, old.color, false);
  return started;
}

export async function setTagColor(orgId: ObjectId, actor: Actor, name: string, color: string, audit = true): Promise<void> {
  const now = new Date();
  await scoped(orgId)("contact_tags").updateOne({ name }, { $set: { color, updatedAt: now }, $setOnInsert: { _id: new ObjectId(), createdAt: now } satisfies Partial<ContactTagDoc> }, { upsert: true });
  if (audit) await recordActivity(orgId, actor, { action: "contact_tag.colored", entityType: "contact", entityId: null, after: { name, color } });
}

/** Tag name -> colour, for showing chips (only tags given a colour are stored). */
export async function tagColorMap(orgId: ObjectId): Promise<Record<string, string>> {
  const colors = await scoped(orgId)("contact_tags").find({}, { limit: 2_000 }).toArray();
  return Object.fromEntries(colors.map((c) => [c.name, c.color]));
}
