import { env } from "@/lib/env";
import type { JobName } from "./registry";
import type { EnqueueOptions, EnqueueResult, JobDriver } from "./types";

let driver: JobDriver | undefined;

/** QStash when QSTASH_TOKEN is set (Upstash, or the local QStash-compatible server), else in-process. */
async function getDriver(): Promise<JobDriver> {
  if (driver) return driver;
  let next: JobDriver;
  if (env().QSTASH_TOKEN) {
    const { qstashDriver } = await import("./drivers/qstash");
    next = qstashDriver();
  } else {
    next = (await import("./drivers/in-process")).inProcessDriver;
  }
  driver = next;
  return next;
}

/** Tests swap drivers between files. */
export function resetJobDriver() {
  driver = undefined;
}

/** The only way work is deferred. */
export async function enqueue(job: JobName, payload: unknown, options: EnqueueOptions = {}): Promise<EnqueueResult> {
  return (await getDriver()).publish(job, payload, options);
}

export async function enqueueBatch(items: { job: JobName; payload: unknown; options?: EnqueueOptions }[]): Promise<EnqueueResult[]> {
  if (items.length === 0) return [];
  const d = await getDriver();
  if (d.publishBatch) return d.publishBatch(items);
  return Promise.all(items.map((i) => d.publish(i.job, i.payload, i.options ?? {})));
}
