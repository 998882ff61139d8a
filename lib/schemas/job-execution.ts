import { z } from "zod";
import type { WorkflowExecutionDoc } from "./automation";
import { idString } from "./common";

export const executionStatuses = ["running", "completed", "failed", "retrying", "dead"] as const;

/** GET /api/jobs-admin: recent job runs, newest first. */
export const listExecutionsQuery = z.object({
  status: z.enum(executionStatuses).optional(),
  job: z.string().regex(/^[a-z0-9-]{1,60}$/, "must be a job name").optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListExecutionsQuery = z.infer<typeof listExecutionsQuery>;

export const executionResponse = z.object({
  id: idString,
  job: z.string(),
  messageId: z.string(),
  status: z.enum(executionStatuses),
  attempts: z.number().int(),
  error: z.string().nullable(),
  durationMs: z.number().nullable(),
  startedAt: z.string(),
  completedAt: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
  /** The message id of the admin's re-run, once retried. */
  retriedAs: z.string().nullable(),
  /** Failed for good (bad payload or retries spent) and not re-run yet. */
  retryable: z.boolean(),
});
export type ExecutionResponse = z.infer<typeof executionResponse>;

export function toExecutionResponse(e: WorkflowExecutionDoc): ExecutionResponse {
  return executionResponse.parse({
    id: e._id.toHexString(),
    job: e.job,
    messageId: e.messageId,
    status: e.status,
    attempts: e.attempts,
    error: e.error,
    durationMs: e.durationMs,
    startedAt: e.startedAt.toISOString(),
    completedAt: e.completedAt?.toISOString() ?? null,
    payload: e.payload,
    retriedAs: e.retriedAs ?? null,
    retryable: (e.status === "failed" || e.status === "dead") && !e.retriedAs,
  });
}
