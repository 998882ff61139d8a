import { randomUUID } from "node:crypto";
import { log } from "@/lib/log";
import { runJob } from "../run-job";
import type { EnqueueOptions, JobDriver } from "../types";

/**
 * The simplest local run: no QStash at all. Work runs in this process after the HTTP response
 * (Next's `after()` inside a request, a timer elsewhere), with retries and exponential backoff.
 * Deduplication is per process, which is all a single dev server needs.
 */
const DEDUP_WINDOW_MS = 10 * 60 * 1000;
const seen = new Map<string, number>();

function schedule(fn: () => Promise<void>, delayMs: number) {
  const run = () => void fn().catch((err) => log.error("job.in_process_crashed", { err }));
  if (delayMs > 0) return void setTimeout(run, delayMs).unref?.();
  // Outside a request scope after() throws; a timer then does the same job.
  import("next/server")
    .then(({ after }) => after(fn))
    .catch(() => setTimeout(run, 0));
}

export const inProcessDriver: JobDriver = {
  name: "in-process",
  async publish(job: string, payload: unknown, options: EnqueueOptions) {
    const now = Date.now();
    if (options.deduplicationId) {
      for (const [k, t] of seen) if (now - t > DEDUP_WINDOW_MS) seen.delete(k);
      const key = `${job}:${options.deduplicationId}`;
      if (seen.has(key)) return { messageId: `dedup-${options.deduplicationId}`, deduplicated: true };
      seen.set(key, now);
    }
    const messageId = `local-${randomUUID()}`;
    const attemptRun = async (attempt: number): Promise<void> => {
      const outcome = await runJob(job, payload, { messageId, attempt });
      if (outcome.status === "retry" && !outcome.final) {
        schedule(() => attemptRun(attempt + 1), Math.min(2 ** attempt * 1000, 60_000));
      }
    };
    schedule(() => attemptRun(1), (options.delaySeconds ?? 0) * 1000);
    return { messageId, deduplicated: false };
  },
};
