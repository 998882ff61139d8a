import type { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";

/**
 * The funnel over time: for each hour since the campaign began, how many recipients had been sent,
 * delivered, read, replied, clicked and converted by then (cumulative, so the lines only rise).
 * One grouped count per step over the campaign's recipients, by the hour of that step's time.
 */
const STEPS = [
  ["sent", "sentAt"],
  ["delivered", "deliveredAt"],
  ["read", "readAt"],
  ["replied", "repliedAt"],
  ["clicked", "clickedAt"],
  ["converted", "convertedAt"],
] as const;
export type TimelineStep = (typeof STEPS)[number][0];
export type TimelinePoint = { hour: string } & Record<TimelineStep, number>;

const HOUR_FORMAT = "%Y-%m-%dT%H:00:00Z";

export async function funnelTimeline(orgId: ObjectId, campaignId: ObjectId): Promise<TimelinePoint[]> {
  const recipients = scoped(orgId)("campaign_recipients");
  const perStep = await Promise.all(
    STEPS.map(([, field]) =>
      recipients
        .aggregate<{ _id: string; n: number }>([
          { $match: { campaignId, [field]: { $ne: null } } },
          { $group: { _id: { $dateToString: { format: HOUR_FORMAT, date: `$${field}` } }, n: { $sum: 1 } } },
        ])
        .toArray(),
    ),
  );
  const hours = [...new Set(perStep.flat().map((r) => r._id))].sort();
  if (hours.length === 0) return [];
  // Every hour from the first to the last, so a quiet hour is a flat line and not a jump.
  const all: string[] = [];
  for (let t = Date.parse(hours[0]!); t <= Date.parse(hours.at(-1)!); t += 3600_000) all.push(new Date(t).toISOString().replace(".000Z", "Z"));
  const running = Object.fromEntries(STEPS.map(([k]) => [k, 0])) as Record<TimelineStep, number>;
  const byStep = perStep.map((rows) => new Map(rows.map((r) => [r._id, r.n])));
  return all.map((hour) => {
    STEPS.forEach(([k], i) => (running[k] += byStep[i]!.get(hour) ?? 0));
    return { hour, ...running };
  });
}
