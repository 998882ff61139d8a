import { resetEnvCache } from "@/lib/env";
import type { Job } from "@/lib/jobs/define-job";
import { enqueue, enqueueBatch, resetJobDriver, type EnqueueItem } from "@/lib/jobs/enqueue";
import { jobs, type JobName } from "@/lib/jobs/registry";
import type { EnqueueOptions } from "@/lib/jobs/types";

/**
 * Adds a throwaway job (a flaky or counting handler) to the registry for one test file; the
 * product's registry stays free of test code. Returns its name.
 */
export function registerTestJob(job: Job): string {
  (jobs as Record<string, Job>)[job.name] = job;
  return job.name;
}

/** `enqueue` for a test job: its payload is not in the product's map of job payloads, so the types cannot check it. */
export const enqueueTestJob = (name: string, payload: unknown, options?: EnqueueOptions) => enqueue(name as JobName, payload as never, options);

export const enqueueTestBatch = (items: { job: string; payload: unknown; options?: EnqueueOptions }[]) => enqueueBatch(items as EnqueueItem[]);

export const QSTASH_KEYS = { token: "test-qstash-token", currentSigningKey: "sig_test_current_key_0001", nextSigningKey: "sig_test_next_key_0002" };

/** Points the config at a QStash (local server) and app URL, dropping the cached env and driver. */
export function useQstashEnv(opts: { qstashUrl?: string; appUrl?: string; keys?: boolean }) {
  const set = (k: string, v: string | undefined) => (v === undefined ? delete process.env[k] : (process.env[k] = v));
  set("QSTASH_URL", opts.qstashUrl);
  set("QSTASH_TOKEN", opts.qstashUrl ? QSTASH_KEYS.token : undefined);
  set("QSTASH_CURRENT_SIGNING_KEY", opts.keys === false ? undefined : QSTASH_KEYS.currentSigningKey);
  set("QSTASH_NEXT_SIGNING_KEY", opts.keys === false ? undefined : QSTASH_KEYS.nextSigningKey);
  if (opts.appUrl) process.env.APP_URL = opts.appUrl;
  resetEnvCache();
  resetJobDriver();
}
