import type { Filter, ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { scoped } from "@/lib/db/scoped";
import type { WorkflowExecutionDoc } from "@/lib/schemas/automation";
import type { ListExecutionsQuery } from "@/lib/schemas/job-execution";
import { enqueue } from "./enqueue";
import type { JobName } from "./registry";

/**
 * An organization's runs, newest first. Only its own: the platform's runs (orgId null: schedule
 * fan-outs, wake-snoozed, retention of unowned records) belong to no organization, so no
 * organization's admin sees or retries them; their failures are in the server log (`job.failed`,
 * `job.dead`).
 */
export async function listExecutions(orgId: ObjectId, q: ListExecutionsQuery): Promise<WorkflowExecutionDoc[]> {
  const filter: Filter<WorkflowExecutionDoc> = { ...(q.status ? { status: q.status } : {}), ...(q.job ? { job: q.job } : {}) };
  return scoped(orgId)("workflow_executions").find(filter, { sort: { startedAt: -1 }, limit: q.limit }).toArray();
}

/**
 * Re-enqueues a failed or dead run's recorded payload as a new message (new message id, full retry
 * budget). Claimed first, so a double click enqueues once; released again if the enqueue fails.
 */
export async function retryExecution(orgId: ObjectId, actor: Actor, id: ObjectId) {
  const executions = scoped(orgId)("workflow_executions");
  const claimed = await executions.findOneAndUpdate(
    { _id: id, status: { $in: ["failed", "dead"] }, retriedAs: null },
    { $set: { retriedAs: "pending" } },
    { returnDocument: "after" },
  );
  if (!claimed) {
    const existing = await executions.findOne({ _id: id });
    if (!existing) throw new ApiError("not_found", "No such job run");
    if (existing.retriedAs) throw new ApiError("conflict", "This run was already retried");
    throw new ApiError("conflict", `Only failed or dead runs can be retried (this one is ${existing.status})`);
  }
  let messageId: string;
  try {
    ({ messageId } = await enqueue(claimed.job as JobName, claimed.payload));
  } catch (err) {
    await executions.updateOne({ _id: id }, { $set: { retriedAs: null } });
    throw err;
  }
  const after = await executions.findOneAndUpdate({ _id: id }, { $set: { retriedAs: messageId } }, { returnDocument: "after" });
  await recordActivity(orgId, actor, {
    action: "job.retried",
    entityType: "job",
    entityId: id,
    before: { status: claimed.status, messageId: claimed.messageId },
    after: { job: claimed.job, messageId },
  });
  return { execution: after!, messageId };
}
