import { z } from "zod";
import { objectId, tenantFields } from "./common";

export const triggerDoc = z.object({
  ...tenantFields,
  name: z.string(),
  description: z.string(),
  type: z.enum(["conversation_pattern", "time_based", "behavior", "lifecycle"]),
  conditions: z.record(z.string(), z.unknown()),
  actions: z.array(z.record(z.string(), z.unknown())),
  priority: z.number().int(),
  active: z.boolean(),
  executionCount: z.number().int(),
  createdBy: objectId.nullable(),
});
export type TriggerDoc = z.infer<typeof triggerDoc>;

/** Every job run: its outcome, attempts and duration (seed 000 workflow_executions). */
export const workflowExecutionDoc = z.object({
  _id: objectId,
  orgId: objectId.nullable(),
  job: z.string(),
  /** The delivery's message id (QStash `Upstash-Message-Id` or the local driver's). */
  messageId: z.string(),
  payload: z.record(z.string(), z.unknown()),
  status: z.enum(["running", "completed", "failed", "retrying", "dead"]),
  attempts: z.number().int(),
  error: z.string().nullable(),
  durationMs: z.number().nullable(),
  startedAt: z.date(),
  completedAt: z.date().nullable(),
  /** Set when an admin re-enqueued this failed run: the new delivery's message id. */
  retriedAs: z.string().nullable(),
});
export type WorkflowExecutionDoc = z.infer<typeof workflowExecutionDoc>;
