import { Client, type PublishRequest } from "@upstash/qstash";
import { env } from "@/lib/env";
import { groupCommit } from "@/lib/concurrency";
import type { JobRegistry } from "../registry";
import type { EnqueueOptions, EnqueueResult, JobDriver } from "../types";

/** QStash's batch endpoint takes at most 100 messages per call. */
const BATCH_SIZE = 100;

/** The QStash client for this deployment (Upstash, or the local QStash-compatible server at QSTASH_URL). */
export function qstashClient(): Client {
  const e = env();
  // devMode false: never let QSTASH_DEV redirect production traffic to the SDK's dev server.
  return new Client({ token: e.QSTASH_TOKEN!, ...(e.QSTASH_URL ? { baseUrl: e.QSTASH_URL } : {}), devMode: false, enableTelemetry: false });
}

/** The URL QStash delivers a job to; the job route checks the signature's `sub` against the same URL. */
export function jobUrl(job: string): string {
  return new URL(`/api/jobs/${job}`, env().APP_URL).toString();
}

function request(registry: JobRegistry, job: string, payload: unknown, o: EnqueueOptions) {
  const definition = registry.get(job);
  // The job's own concurrency, across every instance, unless the caller set its own flow control.
  const fc = o.flowControl ?? (definition ? { key: job, parallelism: definition.concurrency } : undefined);
  return {
    url: jobUrl(job),
    body: payload,
    retries: definition?.retries,
    ...(o.delaySeconds ? { delay: o.delaySeconds } : {}),
    ...(o.deduplicationId ? { deduplicationId: o.deduplicationId } : {}),
    ...(fc
      ? {
          flowControl: {
            key: fc.key,
            ...(fc.parallelism ? { parallelism: fc.parallelism } : {}),
            ...(fc.rate ? { rate: fc.rate, period: fc.periodSeconds ?? 1 } : {}),
          } as PublishRequest["flowControl"],
        }
      : {}),
  };
}

function result(res: { messageId: string; deduplicated?: boolean }): EnqueueResult {
  return { messageId: res.messageId, deduplicated: res.deduplicated ?? false };
}

type Item = { job: string; payload: unknown; options?: EnqueueOptions };

/**
 * Production driver: QStash delivers each message to /api/jobs/[name], signed. Publishes of
 * concurrent requests share batch calls (group commit): a webhook delivery's follow-up jobs cost
 * one HTTP round trip shared with its neighbours instead of one per job.
 */
export function qstashDriver(registry: JobRegistry): JobDriver {
  const client = qstashClient();
  const send = groupCommit(async (items: Item[]) => {
    const res = await client.batchJSON(items.map((it) => request(registry, it.job, it.payload, it.options ?? {})));
    return res.map((r) => result(r as { messageId: string; deduplicated?: boolean }));
  }, BATCH_SIZE);
  const publishBatch = async (items: Item[]) => {
    const chunks: Item[][] = [];
    for (let i = 0; i < items.length; i += BATCH_SIZE) chunks.push(items.slice(i, i + BATCH_SIZE));
    return (await Promise.all(chunks.map(send))).flat();
  };
  return {
    name: "qstash",
    async publish(job, payload, options) {
      return (await send([{ job, payload, options }]))[0]!;
    },
    publishBatch,
  };
}
