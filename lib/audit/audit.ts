import { ObjectId } from "mongodb";
import type { ActivityLogDoc } from "@/lib/schemas/activity-log";
import { scoped } from "@/lib/db/scoped";

export type Actor = { id: ObjectId | null; name: string; ip?: string | null };

/** Appends to the audit log (activity_logs): who did what to which entity, before and after. */
export async function recordActivity(
  orgId: ObjectId,
  actor: Actor,
  entry: Pick<ActivityLogDoc, "action" | "entityType" | "entityId"> & Partial<Pick<ActivityLogDoc, "before" | "after">>,
) {
  await scoped(orgId)("activity_logs").insertOne({
    _id: new ObjectId(),
    actorId: actor.id,
    actorName: actor.name,
    ip: actor.ip ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    at: new Date(),
  });
}

/** The fields that changed, as before/after objects (for the audit log). */
export function diff<T extends Record<string, unknown>>(before: T, patch: Partial<T>) {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v !== undefined && before[k] !== v) {
      b[k] = before[k] ?? null;
      a[k] = v;
    }
  }
  return { before: b, after: a, changed: Object.keys(a).length > 0 };
}
