import { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";

/** A few recorded job runs, so the Background jobs page shows every state (and a dead run to retry). */
export async function seedJobRuns(orgId: ObjectId, now: Date) {
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
  const org = orgId.toHexString();
  const run = (job: string, status: "completed" | "failed" | "dead", minutesAgo: number, attempts: number, error: string | null, payload: Record<string, unknown>) => ({
    _id: new ObjectId(),
    job,
    messageId: `demo-${new ObjectId().toHexString()}`,
    payload,
    status,
    attempts,
    error,
    durationMs: status === "completed" ? 184 : 30_000,
    startedAt: at(minutesAgo),
    completedAt: at(minutesAgo - 1),
    retriedAs: null,
  });
  await scoped(orgId)("workflow_executions").insertMany([
    run("retention", "completed", 24 * 60, 1, null, { orgId: org, batchSize: 500 }),
    run("retention", "dead", 90, 4, "Operation timed out after 30000 ms (demo)", { orgId: org, batchSize: 500 }),
    run("retention", "failed", 60, 1, "Invalid payload: batchSize Too big: expected number to be <=5000", { orgId: org, batchSize: 100_000 }),
  ]);
}
