import type { ErrorBody } from "@/lib/api/errors";
import type { RunOutcome } from "./run-job";

/**
 * How a job route answers its caller (QStash or Vercel cron): 2xx when done or when retrying cannot
 * help (the failure is recorded), 5xx when a retry might succeed, so QStash delivers again.
 */
export function outcomeResponse(outcome: RunOutcome): Response {
  if (outcome.status === "completed") return Response.json({ status: "completed" });
  if (outcome.status === "failed") return Response.json({ status: "failed", error: outcome.error });
  // The handler's error is in workflow_executions and the logs; it is not echoed.
  const body: ErrorBody = {
    error: { code: "internal", message: outcome.final ? "The job failed and has no retries left" : "The job failed and will be retried" },
  };
  return Response.json(body, { status: 500 });
}
