import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { rawCollection } from "@/lib/db/collections";
import { defineJob } from "@/lib/jobs";
import { enqueueTestJob, registerTestJob, useQstashEnv } from "../support/jobs";

/** No QStash at all: the in-process driver runs jobs in this process with the same options. */
const spans: { key: string; start: number; end: number }[] = [];
const attempts = new Map<string, number>();

const timed = registerTestJob(
  defineJob({
    name: "test-local-timed",
    schema: z.object({ key: z.string(), sleepMs: z.number().int().default(0), failTimes: z.number().int().default(0) }),
    retries: 2,
    async handle({ key, sleepMs, failTimes }) {
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      const start = Date.now();
      await new Promise((r) => setTimeout(r, sleepMs));
      spans.push({ key, start, end: Date.now() });
      if (n <= failTimes) throw new Error(`failure ${n}`);
    },
  }),
);

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(() => useQstashEnv({}));

describe("in-process driver", () => {
  it("runs a job after enqueue and records it", async () => {
    const { messageId } = await enqueueTestJob(timed, { key: "plain" });
    expect(messageId).toMatch(/^local-/);
    await until(async () => (await rawCollection("workflow_executions").findOne({ messageId }))?.status === "completed");
  });

  it("deduplicates, delays and retries like QStash", async () => {
    const t0 = Date.now();
    const a = await enqueueTestJob(timed, { key: "local-dedup" }, { deduplicationId: "local-1", delaySeconds: 1 });
    const b = await enqueueTestJob(timed, { key: "local-dedup-2" }, { deduplicationId: "local-1" });
    expect(b).toEqual({ messageId: a.messageId, deduplicated: true });
    const flaky = await enqueueTestJob(timed, { key: "local-flaky", failTimes: 1 });
    await until(() => spans.some((s) => s.key === "local-dedup"));
    expect(spans.find((s) => s.key === "local-dedup")!.start - t0).toBeGreaterThanOrEqual(1000);
    expect(attempts.has("local-dedup-2")).toBe(false);
    await until(async () => (await rawCollection("workflow_executions").findOne({ messageId: flaky.messageId }))?.status === "completed");
    expect(attempts.get("local-flaky")).toBe(2);
    expect(a.deduplicated).toBe(false);
  });

  it("honours flow control parallelism per key", async () => {
    for (let i = 0; i < 4; i++) await enqueueTestJob(timed, { key: `local-par-${i}`, sleepMs: 100 }, { flowControl: { key: "local-fc", parallelism: 1 } });
    await until(() => spans.filter((s) => s.key.startsWith("local-par-")).length === 4);
    const s = spans.filter((x) => x.key.startsWith("local-par-"));
    expect(Math.max(...s.map((a) => s.filter((b) => b.start < a.end && a.start < b.end).length))).toBe(1);
  });
});
