import { afterEach, describe, expect, it, vi } from "vitest";

type RunJob = (registry: unknown, job: string, payload: unknown, delivery: { messageId: string; attempt: number }) => Promise<{ status: "completed" }>;
const runJob = vi.fn<RunJob>(async () => ({ status: "completed" }));
vi.mock("@/lib/jobs/run-job", () => ({ runJob }));
// The scheduler hands the registry to runJob; which object it is does not matter here.
vi.mock("@/lib/jobs/registry", () => ({ jobRegistry: { get: () => undefined } }));

describe("in-process scheduler", () => {
  afterEach(() => {
    vi.useRealTimers();
    runJob.mockClear();
  });

  it("runs each declared schedule when its cron minute comes, with the cron route's message id", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-11-21T03:28:30Z"));
    const { startInProcessScheduler } = await import("@/lib/jobs/in-process-scheduler");
    const stop = startInProcessScheduler();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(runJob).toHaveBeenCalledWith(expect.anything(), "wake-snoozed", {}, { messageId: "cron:wake-snoozed:2026-11-21T03:29", attempt: 1 });
    expect(runJob).not.toHaveBeenCalledWith(expect.anything(), "retention", expect.anything(), expect.anything());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runJob).toHaveBeenCalledWith(expect.anything(), "retention", {}, { messageId: "cron:retention:2026-11-21T03:30", attempt: 1 });
    expect(runJob.mock.calls.filter((c) => c[1] === "wake-snoozed")).toHaveLength(2);
    stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(runJob.mock.calls.filter((c) => c[1] === "wake-snoozed")).toHaveLength(2);
  });
});
