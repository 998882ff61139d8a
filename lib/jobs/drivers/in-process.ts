import { randomUUID } from "node:crypto";
import { log } from "@/lib/log";
import type { JobRegistry } from "../registry";
import { runJob, type RunOutcome } from "../run-job";
import type { EnqueueOptions, JobDriver } from "../types";

/**
 * The simplest local run: no QStash at all. Work runs in this process after the HTTP response
 * (Next's `after()` inside a request, a timer elsewhere), with retries and exponential backoff.
 * Deduplication and flow control are per process, which is all a single dev server needs.
 */
const DEDUP_WINDOW_MS = 10 * 60 * 1000;
const seen = new Map<string, { at: number; messageId: string }>();

type Flow = NonNullable<EnqueueOptions["flowControl"]>;
const flows = new Map<string, { active: number; starts: number[]; waiters: (() => void)[] }>();

function flowState(key: string) {
  let s = flows.get(key);
  if (!s) flows.set(key, (s = { active: 0, starts: [], waiters: [] }));
  return s;
}

/** Waits for a slot under the key's parallelism and rate, as QStash's flow control would. */
async function acquire(fc: Flow) {
  const s = flowState(fc.key);
  const periodMs = (fc.periodSeconds ?? 1) * 1000;
  for (;;) {
    const now = Date.now();
    s.starts = s.starts.filter((t) => t > now - periodMs);
    const parallelOk = !fc.parallelism || s.active < fc.parallelism;
    const rateOk = !fc.rate || s.starts.length < fc.rate;
    if (parallelOk && rateOk) {
      s.active++;
      s.starts.push(now);
      return;
    }
    await new Promise<void>((resolve) => {
      s.waiters.push(resolve);
      if (!rateOk) setTimeout(resolve, s.starts[s.starts.length - fc.rate!]! + periodMs - now + 1);
    });
  }
}

function release(fc: Flow) {
  const s = flowState(fc.key);
  s.active--;
  for (const wake of s.waiters.splice(0)) wake();
}

function schedule(fn: () => Promise<void>, delayMs: number) {
  const run = () => void fn().catch((err) => log.error("job.in_process_crashed", { err }));
  if (delayMs > 0) return void setTimeout(run, delayMs).unref?.();
  // Outside a request scope after() throws; a timer then does the same job.
  import("next/server")
    .then(({ after }) => after(fn))
    .catch(() => setTimeout(run, 0));
}

export const inProcessDriver = (registry: JobRegistry): JobDriver => ({
  name: "in-process",
  async publish(job: string, payload: unknown, options: EnqueueOptions) {
    const now = Date.now();
    const messageId = `local-${randomUUID()}`;
    if (options.deduplicationId) {
      for (const [k, v] of seen) if (now - v.at > DEDUP_WINDOW_MS) seen.delete(k);
      // QStash's deduplication is per account, not per destination; so is this one.
      const first = seen.get(options.deduplicationId);
      if (first) return { messageId: first.messageId, deduplicated: true };
      seen.set(options.deduplicationId, { at: now, messageId });
    }
    const fc = options.flowControl;
    const attemptRun = async (attempt: number): Promise<void> => {
      if (fc) await acquire(fc);
      let outcome: RunOutcome;
      try {
        outcome = await runJob(registry, job, payload, { messageId, attempt });
      } catch (err) {
        // runJob itself failed (e.g. the database is down): retry like any transient failure.
        log.error("job.in_process_failed", { job, messageId, attempt, err });
        outcome = { status: "retry", error: String(err), final: attempt > (registry.get(job)?.retries ?? 3) };
      } finally {
        if (fc) release(fc);
      }
      if (outcome.status === "retry" && !outcome.final) {
        schedule(() => attemptRun(attempt + 1), Math.min(2 ** attempt * 1000, 60_000));
      }
    };
    schedule(() => attemptRun(1), (options.delaySeconds ?? 0) * 1000);
    return { messageId, deduplicated: false };
  },
});
