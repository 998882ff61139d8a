import type { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";
import { emitLifecycle } from "./emit";

/**
 * Lead scores that changed, from the incremental job or the nightly batch: an event only for a
 * contact whose score crossed a threshold some active trigger listens for, so a nightly batch over
 * 100,000 contacts publishes a handful of jobs, not one per contact.
 */
export async function announceScoreChanges(orgId: ObjectId, changes: { contactId: ObjectId; from: number | null; to: number }[]): Promise<number> {
  if (changes.length === 0) return 0;
  const triggers = await scoped(orgId)("triggers").find({ active: true, type: "lifecycle" }, { projection: { when: 1 } }).toArray();
  const thresholds = triggers.flatMap((t) => (t.when.type === "lifecycle" && t.when.event === "lead_score_crossed" ? [t.when.threshold ?? 50] : []));
  if (thresholds.length === 0) return 0;
  const crossing = changes.filter((c) => thresholds.some((th) => (c.from ?? -1) < th && c.to >= th));
  await Promise.all(crossing.map((c) => emitLifecycle(orgId, "lead_score_crossed", { contactId: c.contactId }, { from: c.from, to: c.to })));
  return crossing.length;
}
