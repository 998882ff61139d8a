import type { SettingsValues } from "@/lib/schemas/settings";
import { weekdays } from "@/lib/schemas/settings";

type Hours = SettingsValues["businessHours"];

/** Weekday and HH:MM of `now` in the organization's time zone. */
function localTime(timezone: string, now: Date): { day: (typeof weekdays)[number]; hhmm: string } {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: timezone, weekday: "long", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return { day: get("weekday").toLowerCase() as (typeof weekdays)[number], hhmm: `${get("hour")}:${get("minute")}` };
}

export function isWithinBusinessHours(hours: Hours, now = new Date()): boolean {
  const { day, hhmm } = localTime(hours.timezone, now);
  const d = hours.days[day];
  return !!d?.enabled && hhmm >= d.start && hhmm < d.end;
}

/** One line per day for the model's context, plus whether humans are available right now. */
export function describeBusinessHours(hours: Hours, now = new Date()): string {
  const days = weekdays.map((d) => {
    const h = hours.days[d];
    return `${d}: ${h?.enabled ? `${h.start}-${h.end}` : "closed"}`;
  });
  return `Time zone ${hours.timezone}. ${days.join("; ")}. Right now the team is ${isWithinBusinessHours(hours, now) ? "available" : "away (outside business hours)"}.`;
}
