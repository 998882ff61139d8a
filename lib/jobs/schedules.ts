import type { JobName } from "./registry";

export type ScheduleSpec = {
  /** Stable name: the QStash schedule id and the cron route `/api/cron/<name>` derive from it. */
  name: string;
  job: JobName;
  /** Five-field cron, UTC. */
  cron: string;
  payload: Record<string, unknown>;
};

/**
 * Every recurring job, in one list. `npm run schedules:sync` mirrors it into QStash schedules and
 * vercel.json's `crons` carries the same entries (a unit test keeps them equal); both call
 * `/api/cron/<name>`, which runs `job` with `payload`.
 */
export const schedules: ScheduleSpec[] = [
  { name: "retention", job: "retention", cron: "30 3 * * *", payload: {} },
  { name: "wake-snoozed", job: "wake-snoozed", cron: "* * * * *", payload: {} },
  { name: "campaigns-tick", job: "campaigns-tick", cron: "* * * * *", payload: {} },
  { name: "templates-reconcile", job: "templates-reconcile", cron: "17 * * * *", payload: {} },
  { name: "lead-scoring-nightly", job: "lead-scoring-nightly", cron: "45 2 * * *", payload: {} },
  { name: "automations-tick", job: "automations-tick", cron: "* * * * *", payload: {} },
];

export function getSchedule(name: string): ScheduleSpec | undefined {
  return schedules.find((s) => s.name === name);
}
