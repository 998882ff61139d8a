import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { schedules } from "@/lib/jobs/schedules";
import { nextCronTime, parseCron } from "@/lib/jobs/cron";

describe("the declared schedules", () => {
  it("are the same list as vercel.json's crons, each calling /api/cron/<name>", () => {
    const vercel = JSON.parse(readFileSync(path.resolve(__dirname, "../../vercel.json"), "utf8")) as { crons: { path: string; schedule: string }[] };
    const expected = schedules.map((s) => ({ path: `/api/cron/${s.name}`, schedule: s.cron }));
    expect([...vercel.crons].sort((a, b) => a.path.localeCompare(b.path))).toEqual(expected.sort((a, b) => a.path.localeCompare(b.path)));
  });

  it("have unique, URL-safe names and valid five-field cron expressions", () => {
    expect(new Set(schedules.map((s) => s.name)).size).toBe(schedules.length);
    for (const s of schedules) {
      expect(s.name).toMatch(/^[a-z0-9-]+$/);
      expect(() => parseCron(s.cron)).not.toThrow();
    }
  });
});

describe("cron expressions (local QStash server)", () => {
  const next = (expr: string, from: string) => nextCronTime(parseCron(expr), new Date(from)).toISOString();
  it.each([
    ["30 3 * * *", "2026-01-01T03:29:10Z", "2026-01-01T03:30:00.000Z"],
    ["30 3 * * *", "2026-01-01T03:30:00Z", "2026-01-02T03:30:00.000Z"],
    ["*/15 * * * *", "2026-01-01T10:16:00Z", "2026-01-01T10:30:00.000Z"],
    ["0 9 * * mon-fri", "2026-01-02T10:00:00Z", "2026-01-05T09:00:00.000Z"],
    ["0 0 1 jan *", "2026-03-01T00:00:00Z", "2027-01-01T00:00:00.000Z"],
    ["0 12 13 * 5", "2026-02-01T00:00:00Z", "2026-02-06T12:00:00.000Z"],
    ["CRON_TZ=UTC 5 4 * * 7", "2026-01-01T00:00:00Z", "2026-01-04T04:05:00.000Z"],
  ])("%s after %s is %s", (expr, from, expected) => {
    expect(next(expr, from)).toBe(expected);
  });

  it.each(["* * * *", "60 * * * *", "*/0 * * * *", "5-1 * * * *", "CRON_TZ=Europe/Madrid 0 9 * * *"])("refuses %s", (expr) => {
    expect(() => parseCron(expr)).toThrow();
  });
});
