import type { z } from "zod";

export type JobContext = {
  /** The delivery's id: QStash's `Upstash-Message-Id`, or the local driver's. Stable across retries. */
  messageId: string;
  /** 1 on the first delivery. */
  attempt: number;
  /** Enqueue a follow-up (e.g. the next batch of a large job re-enqueuing itself). */
  enqueue: typeof import("./enqueue").enqueue;
};

export type Job<S extends z.ZodType = z.ZodType> = {
  name: string;
  schema: S;
  /** Deliveries before a failure is final ("dead" in workflow_executions, visible to admins). */
  retries: number;
  /**
   * Runs of this job at once: per process on the in-process driver, and QStash flow control's
   * `parallelism` (key: the job's name) unless the enqueue names its own. A burst of work (a
   * webhook with 1,000 media items) then queues instead of taking every database connection.
   */
  concurrency: number;
  /** Must be idempotent: a job delivered twice has the effect of once. */
  handle: (payload: z.output<S>, ctx: JobContext) => Promise<unknown>;
};

/** A failure that retrying cannot fix (bad payload, entity gone): recorded, answered 2xx, not retried. */
export class PermanentJobError extends Error {
  name = "PermanentJobError";
}

export function defineJob<S extends z.ZodType>(job: { name: string; schema: S; retries?: number; concurrency?: number; handle: Job<S>["handle"] }): Job<S> {
  return { retries: 3, concurrency: 4, ...job };
}
