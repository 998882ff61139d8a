export { defineJob, PermanentJobError, type Job, type JobContext } from "./define-job";
export { enqueue, enqueueBatch } from "./enqueue";
export type { EnqueueOptions } from "./types";
