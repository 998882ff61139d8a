import { Client } from "@upstash/qstash";
import { env } from "@/lib/env";
import { getJob } from "../registry";
import type { EnqueueOptions, JobDriver } from "../types";

/** Production driver: QStash (or the local QStash-compatible server at QSTASH_URL) delivers to /api/jobs/[name]. */
export function qstashDriver(): JobDriver {
  const e = env();
  const client = new Client({ token: e.QSTASH_TOKEN!, ...(e.QSTASH_URL ? { baseUrl: e.QSTASH_URL } : {}) });
  return {
    name: "qstash",
    async publish(job: string, payload: unknown, o: EnqueueOptions) {
      const fc = o.flowControl;
      const res = await client.publishJSON({
        url: new URL(`/api/jobs/${job}`, e.APP_URL).toString(),
        body: payload,
        retries: getJob(job)?.retries,
        ...(o.delaySeconds ? { delay: o.delaySeconds } : {}),
        ...(o.deduplicationId ? { deduplicationId: o.deduplicationId } : {}),
        ...(fc
          ? { flowControl: { key: fc.key, parallelism: fc.parallelism ?? 1000, ...(fc.rate ? { rate: fc.rate, period: fc.periodSeconds ?? 1 } : {}) } }
          : {}),
      });
      return { messageId: res.messageId, deduplicated: res.deduplicated ?? false };
    },
  };
}
