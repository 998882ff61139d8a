import { randomUUID } from "node:crypto";
import { log } from "@/lib/log";
import type { JobRegistry } from "../registry";
import { runJob, type RunOutcome } from "../run-job";
import type { EnqueueOptions, JobDriver } from "../types";

/**
 * The simplest local run: no QStash at all. Work runs in this process after the HTTP response,
 * with retries and exponential backoff, through a bounded queue: at most `IN_PROCESS_MAX_RUNNING`
 * jobs at once in the process and at most each job's `concurrency` of one kind, so a burst (a
 * webhook with 1,000 media items) waits its turn instead of taking every database connection from
 * the requests. Deduplication and flow control are per process, which is all a single server needs.
 */
const DEDUP_WINDOW_MS = 10 * 60 * 1000;
const IN_PROCESS_MAX_RUNNING = 4;

type Flow = NonNullable<EnqueueOptions["flowControl"]>;
type Task = { job: string; run: () => Promise<void> };

function flowGate() {
  const flows = new Map<string, { active: number; starts: number[]; waiters: (() => void)[] }>();
  const state = (key: string) => {
    let s = flows.get(key);
    if (!s) flows.set(key, (s = { active: 0, starts: [], waiters: [] }));
    return s;
  };
  return {
    /** Waits for a slot under the key's parallelism and rate, as QStash's flow control would. */
    async acquire(fc: Flow) {
      const s = state(fc.key);
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
    },
    release(fc: Flow) {
      const s = state(fc.key);
      s.active--;
      for (const wake of s.waiters.splice(0)) wake();
    },
  };
}

/** FIFO per job, started while the process and the job are under their limits. */
function boundedQueue(limitOf: (job: string) => number, maxRunning: number) {
  const waiting: Task[] = [];
  const runningByJob = new Map<string, number>();
  let running = 0;
  const pump = () => {
    for (let i = 0; i < waiting.length && running < maxRunning; ) {
      const task = waiting[i]!;
      const active = runningByJob.get(task.job) ?? 0;
      if (active >= limitOf(task.job)) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      running++;
      runningByJob.set(task.job, active + 1);
      void task
        .run()
        .catch((err) => log.error("job.in_process_crashed", { job: task.job, err }))
        .finally(() => {
          running--;
          runningByJob.set(task.job, (runningByJob.get(task.job) ?? 1) - 1);
          pump();
        });
    }
  };
  return {
    push(task: Task) {
      waiting.push(task);
      pump();
    },
  };
}

export function inProcessDriver(registry: JobRegistry): JobDriver {
  const seen = new Map<string, { at: number; messageId: string }>();
  const flows = flowGate();
  const queue = boundedQueue((job) => registry.get(job)?.concurrency ?? 1, IN_PROCESS_MAX_RUNNING);

  const later = (task: Task, delayMs: number) => void setTimeout(() => queue.push(task), delayMs).unref?.();
  /**
   * The first attempt: queued after the current request has answered. Inside a request, Next's
   * `after()` also keeps the server working until the job is done; outside one it throws, and the
   * queue alone runs it.
   */
  const first = (task: Task, delayMs: number) => {
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    later({ job: task.job, run: () => task.run().finally(done) }, delayMs);
    if (delayMs === 0) import("next/server").then(({ after }) => after(() => finished)).catch(() => {});
  };

  return {
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
        if (fc) await flows.acquire(fc);
        let outcome: RunOutcome;
        try {
          outcome = await runJob(registry, job, payload, { messageId, attempt });
        } catch (err) {
          // runJob itself failed (e.g. the database is down): retry like any transient failure.
          log.error("job.in_process_failed", { job, messageId, attempt, err });
          outcome = { status: "retry", error: String(err), final: attempt > (registry.get(job)?.retries ?? 3) };
        } finally {
          if (fc) flows.release(fc);
        }
        if (outcome.status === "retry" && !outcome.final) later({ job, run: () => attemptRun(attempt + 1) }, Math.min(2 ** attempt * 1000, 60_000));
      };
      first({ job, run: () => attemptRun(1) }, (options.delaySeconds ?? 0) * 1000);
      return { messageId, deduplicated: false };
    },
  };
}
