import { env } from "@/lib/env";
import type { JobName, JobPayload } from "./registry";
import type { EnqueueOptions, EnqueueResult, JobDriver } from "./types";

let driver: JobDriver | undefined;

/** QStash when QSTASH_TOKEN is set (Upstash, or the local QStash-compatible server), else in-process. */
async function getDriver(): Promise<JobDriver> {
  if (driver) return driver;
  // Loaded here, not imported: the registry imports every job, and every job imports this file.
  const { jobRegistry } = await import("./registry");
  let next: JobDriver;
  if (env().QSTASH_TOKEN) {
    const { qstashDriver } = await import("./drivers/qstash");
    next = qstashDriver(jobRegistry);
  } else {
    next = (await import("./drivers/in-process")).inProcessDriver(jobRegistry);
  }
  driver = next;
  return next;
}

/** Tests swap drivers between files. */
export function resetJobDriver() {
  driver = undefined;
}

/** The only way work is deferred. */
export async function enqueue<N extends JobName>(job: N, payload: JobPayload<N>, options: EnqueueOptions = {}): Promise<EnqueueResult> {
  return (await getDriver()).publish(job, payload, options);
}

export type EnqueueItem = { [N in JobName]: { job: N; payload: JobPayload<N>; options?: EnqueueOptions } }[JobName];

export async function enqueueBatch(items: EnqueueItem[]): Promise<EnqueueResult[]> {
  if (items.length === 0) return [];
  const d = await getDriver();
  if (d.publishBatch) return d.publishBatch(items);
  return Promise.all(items.map((i) => d.publish(i.job, i.payload, i.options ?? {})));
}
