import { describe, expect, it } from "vitest";
import { groupCommit } from "@/lib/concurrency";

/** A `run` whose calls finish only when the test releases them, recording what each call carried. */
function controlled() {
  const calls: { items: number[]; release: (err?: Error) => void }[] = [];
  const run = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({ items, release: (err) => (err ? reject(err) : resolve(items.map((i) => `r${i}`))) });
    });
  return { calls, run };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("groupCommit", () => {
  it("sends an idle caller's items at once, and queues callers behind an in-flight call into one call", async () => {
    const { calls, run } = controlled();
    const commit = groupCommit(run, 100);
    const first = commit([1, 2]);
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1, 2]]);

    const second = commit([3]);
    const third = commit([4, 5]);
    await tick();
    expect(calls).toHaveLength(1); // still waiting for the first call
    calls[0]!.release();
    expect(await first).toEqual(["r1", "r2"]);
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1, 2], [3, 4, 5]]);
    calls[1]!.release();
    expect(await second).toEqual(["r3"]);
    expect(await third).toEqual(["r4", "r5"]);
  });

  it("never puts more than maxItems in one call, and never splits one caller's items", async () => {
    const { calls, run } = controlled();
    const commit = groupCommit(run, 3);
    const a = commit([1]);
    await tick();
    const b = commit([2, 3]);
    const c = commit([4, 5]);
    const d = commit([6, 7, 8, 9]);
    calls[0]!.release();
    await a;
    for (let i = 1; i < 4; i++) {
      await tick();
      calls[i]!.release();
    }
    expect(await Promise.all([b, c, d])).toEqual([["r2", "r3"], ["r4", "r5"], ["r6", "r7", "r8", "r9"]]);
    expect(calls.map((x) => x.items)).toEqual([[1], [2, 3], [4, 5], [6, 7, 8, 9]]);
  });

  it("fails every caller of a failed call, and keeps serving the callers after it", async () => {
    const { calls, run } = controlled();
    const commit = groupCommit(run, 100);
    const a = commit([1]);
    await tick();
    const b = commit([2]);
    const c = commit([3]);
    calls[0]!.release();
    await a;
    await tick();
    calls[1]!.release(new Error("database down"));
    await expect(b).rejects.toThrow("database down");
    await expect(c).rejects.toThrow("database down");
    const e = commit([4]);
    await tick();
    calls[2]!.release();
    expect(await e).toEqual(["r4"]);
  });

  it("answers an empty list without a call", async () => {
    const { calls, run } = controlled();
    expect(await groupCommit(run, 10)([])).toEqual([]);
    expect(calls).toHaveLength(0);
  });
});
