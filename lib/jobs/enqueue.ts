import { env } from "@/lib/env";
import type { JobName, JobPayload } from "./registry";
import type { EnqueueOptions, EnqueueResult, JobDriver } from "./types";

/**
 * The promise, not the driver, is cached: concurrent first enqueues (a webhook's burst of
 * follow-ups) must share one driver, or each would get its own in-process queue and limits.
 */
let driver: Promise<JobDriver> | undefined;

/** QStash when QSTASH_TOKEN is set (Upstash, or the local QStash-compatible server), else in-process. */
function getDriver(): Promise<JobDriver> {
  driver ??= loadDriver().catch((err) => {
    driver = undefined;
    throw err;
  });
  return driver;
}

async function loadDriver(): Promise<JobDriver> {
  // Loaded here, not imported: the registry imports every job, and every job imports this file.
  const { jobRegistry } = await import("./registry");
  if (env().QSTASH_TOKEN) return (await import("./drivers/qstash")).qstashDriver(jobRegistry);
  return (await import("./drivers/in-process")).inProcessDriver(jobRegistry);
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
