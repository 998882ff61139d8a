import { log } from "@/lib/log";
import { nextCronTime, parseCron } from "./cron";
import { jobRegistry } from "./registry";
import { runJob } from "./run-job";
import { schedules } from "./schedules";

/**
 * With no QStash and no Vercel cron (a laptop, a single `next start`), this runs the declared
 * schedules inside the server process, so snoozed conversations wake and retention runs in the
 * simplest setup too. The message id is the same one the cron route derives (`cron:<name>:<minute>`),
 * so a schedule that also arrives through /api/cron runs once per minute, not twice.
 */
export function startInProcessScheduler(now: () => Date = () => new Date()) {
  const timers: NodeJS.Timeout[] = [];
  for (const schedule of schedules) {
    const cron = parseCron(schedule.cron);
    const arm = () => {
      const at = nextCronTime(cron, now());
      const timer = setTimeout(async () => {
        const messageId = `cron:${schedule.name}:${at.toISOString().slice(0, 16)}`;
        try {
          await runJob(jobRegistry, schedule.job, schedule.payload, { messageId, attempt: 1 });
        } catch (err) {
          log.error("schedule.in_process_failed", { schedule: schedule.name, err });
        }
        arm();
      }, Math.max(0, at.getTime() - now().getTime()));
      timer.unref?.();
      timers[schedules.indexOf(schedule)] = timer;
    };
    arm();
  }
  log.info("schedule.in_process_started", { schedules: schedules.map((s) => s.name) });
  return () => timers.forEach((t) => clearTimeout(t));
}
