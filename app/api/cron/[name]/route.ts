import { ApiError } from "@/lib/api/errors";
import { withCron } from "@/lib/api/with-cron";
import { outcomeResponse } from "@/lib/jobs/outcome-response";
import { jobRegistry } from "@/lib/jobs/registry";
import { runJob } from "@/lib/jobs/run-job";
import { getSchedule } from "@/lib/jobs/schedules";

export const runtime = "nodejs";

const handler = withCron(async ({ params, delivery }) => {
  const schedule = getSchedule(String(params.name));
  if (!schedule) throw new ApiError("not_found", `No schedule named "${params.name}"`);
  // Vercel cron has no message id; one per schedule and minute makes a doubled invocation a no-op.
  const messageId = delivery?.messageId ?? `cron:${schedule.name}:${new Date().toISOString().slice(0, 16)}`;
  return outcomeResponse(await runJob(jobRegistry, schedule.job, schedule.payload, { messageId, attempt: delivery?.attempt ?? 1 }));
});

// GET /api/cron/[name]: run a scheduled job (Vercel cron: bearer CRON_SECRET)
export const GET = handler;
// POST /api/cron/[name]: run a scheduled job (QStash schedule: signed delivery)
export const POST = handler;
