import { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";

type DemoRun = { job: string; status: "completed" | "failed" | "dead"; minutesAgo: number; attempts: number; error: string | null; payload: Record<string, unknown> };

function runDoc(now: Date, r: DemoRun) {
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
  return {
    _id: new ObjectId(),
    job: r.job,
    messageId: `demo-${new ObjectId().toHexString()}`,
    payload: r.payload,
    status: r.status,
    attempts: r.attempts,
    error: r.error,
    durationMs: r.status === "completed" ? 184 : 30_000,
    startedAt: at(r.minutesAgo),
    completedAt: at(r.minutesAgo - 1),
    retriedAs: null,
  };
}

/** Yesterday's retention run, so the Background jobs page is not empty on the first visit. No made-up failures. */
export async function seedJobRuns(orgId: ObjectId, now: Date) {
  const org = orgId.toHexString();
  await scoped(orgId)("workflow_executions").insertMany([runDoc(now, { job: "retention", status: "completed", minutesAgo: 24 * 60, attempts: 1, error: null, payload: { orgId: org, batchSize: 500 } })]);
}

/**
 * A dead and a failed run, for the end-to-end server only (scripts/e2e-server.ts): the jobs spec
 * retries a dead run, and a real one takes minutes of backoff to die. The demo never shows these.
 */
export async function seedFailedJobRunsForE2e(orgId: ObjectId, now: Date) {
  const org = orgId.toHexString();
  await scoped(orgId)("workflow_executions").insertMany([
    runDoc(now, { job: "retention", status: "dead", minutesAgo: 90, attempts: 4, error: "Operation timed out after 30000 ms (demo)", payload: { orgId: org, batchSize: 500 } }),
    runDoc(now, { job: "retention", status: "failed", minutesAgo: 60, attempts: 1, error: "Invalid payload: batchSize Too big: expected number to be <=5000", payload: { orgId: org, batchSize: 100_000 } }),
  ]);
}
