import { z } from "zod";
import { objectId } from "./common";

const dayHours = z.object({ enabled: z.boolean(), start: z.string().regex(/^\d\d:\d\d$/), end: z.string().regex(/^\d\d:\d\d$/) });
export const weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;

/** One settings document per organization (seed 001 SystemSettings, as typed fields instead of key/value rows). */
export const settingsValues = z.object({
  businessHours: z.object({ timezone: z.string(), days: z.record(z.enum(weekdays), dayHours) }),
  autoAssignment: z.boolean(),
  maxConversationsPerAgent: z.number().int().min(1).max(500),
  /** Agents see only their own and unassigned conversations unless this widens it. */
  agentsSeeAllConversations: z.boolean(),
  aiEnabled: z.boolean(),
  optOutKeywords: z.array(z.string()),
  optInKeywords: z.array(z.string()),
  optOutConfirmation: z.string(),
  optInConfirmation: z.string(),
  /** Days raw webhook envelopes and job records are kept before the retention job deletes them. */
  retentionDays: z.number().int().min(1).max(3650),
});
export type SettingsValues = z.infer<typeof settingsValues>;

export const settingsDoc = settingsValues.extend({ _id: objectId, orgId: objectId, updatedAt: z.date(), updatedBy: objectId.nullable() });
export type SettingsDoc = z.infer<typeof settingsDoc>;

export const defaultSettings: SettingsValues = {
  businessHours: {
    timezone: "UTC",
    days: Object.fromEntries(
      weekdays.map((d) => [d, { enabled: d !== "saturday" && d !== "sunday", start: "09:00", end: "18:00" }]),
    ) as SettingsValues["businessHours"]["days"],
  },
  autoAssignment: true,
  maxConversationsPerAgent: 10,
  agentsSeeAllConversations: false,
  aiEnabled: true,
  optOutKeywords: ["STOP", "UNSUBSCRIBE", "STOP ALL", "CANCEL", "BAJA", "ALTO", "CANCELAR"],
  optInKeywords: ["START", "SUBSCRIBE", "UNSTOP", "ALTA"],
  optOutConfirmation: "You have been unsubscribed and will not receive further messages. Reply START to subscribe again.",
  optInConfirmation: "You are subscribed again. Reply STOP at any time to unsubscribe.",
  retentionDays: 30,
};
