import fc from "fast-check";
import { ObjectId, type Document } from "mongodb";
import { describe, expect, it } from "vitest";
import { newestFirst, type NewestFirstResult, type Position } from "@/lib/db/newest-first";
import { withDerivedKeys, withDerivedKeysUpdate } from "@/lib/db/derived-keys";
import { bucketOf, withTimeKeys, withTimeKeysUpdate } from "@/lib/db/time-keys";

type Row = { _id: ObjectId; lastActivityAt: Date; activityHour?: number; activityDay?: number; activityMonth?: number };

const NOW = new Date("2026-11-21T12:00:00Z");

/** An in-memory "collection": applies the bucket equality the walk asks for, like a pushed-down filter. */
function store(rows: Row[]) {
  const calls: Document[] = [];
  return {
    calls,
    run: async (bucket: Document) => {
      calls.push(bucket);
      return rows.filter((r) => Object.entries(bucket).every(([k, v]) => (r as Document)[k] === v));
    },
  };
}

const order = (a: Row, b: Row) => b.lastActivityAt.getTime() - a.lastActivityAt.getTime() || (b._id.toHexString() < a._id.toHexString() ? -1 : 1);

/** Pages through everything with the walk, as the list API does with its cursor. */
async function walkAll(rows: Row[], limit: number, maxQueries?: number) {
  const s = store(rows);
  const seen: Row[] = [];
  let after: Position | null = null;
  for (let page = 0; page < 500; page++) {
    const { rows: got, stoppedAt }: NewestFirstResult<Row> = await newestFirst<Row>({ run: s.run, prefix: "activity", time: (r) => r.lastActivityAt, limit: limit + 1, after, now: NOW, maxQueries });
    const shown = got.slice(0, limit);
    seen.push(...shown);
    if (got.length > limit) after = { at: shown.at(-1)!.lastActivityAt, id: shown.at(-1)!._id };
    else if (stoppedAt) after = { at: stoppedAt.at, id: null };
    else return { seen, queries: s.calls.length };
  }
  throw new Error("did not finish");
}

describe("time keys", () => {
  it("derives each bucket from the time on insert, and on $set and $max updates", () => {
    const at = new Date("2026-11-21T10:30:00Z");
    const doc = withTimeKeys("conversations", { lastActivityAt: at, updatedAt: at, status: "open" });
    expect(doc).toMatchObject({ activityHour: bucketOf("hour", at), activityDay: bucketOf("day", at), activityMonth: bucketOf("month", at), updatedMinute: bucketOf("minute", at) });
    expect(withTimeKeysUpdate("conversations", { $max: { lastActivityAt: at }, $set: { updatedAt: at } })).toEqual({
      $max: { lastActivityAt: at, activityHour: bucketOf("hour", at), activityDay: bucketOf("day", at), activityMonth: bucketOf("month", at) },
      $set: { updatedAt: at, updatedMinute: bucketOf("minute", at) },
    });
    // Collections without time keys, and updates that do not touch the time, are left alone.
    expect(withTimeKeys("contacts", { updatedAt: at })).toEqual({ updatedAt: at });
    expect(withTimeKeysUpdate("conversations", { $inc: { unreadCount: 1 } })).toEqual({ $inc: { unreadCount: 1 } });
  });
});

describe("derived keys", () => {
  it("marks a conversation assigned exactly when it has an assignee, on insert and on every update of the assignee", () => {
    const agent = new ObjectId();
    expect(withDerivedKeys("conversations", { assigneeId: null })).toMatchObject({ assigned: false });
    expect(withDerivedKeys("conversations", { assigneeId: agent })).toMatchObject({ assigned: true });
    expect(withDerivedKeysUpdate("conversations", { $set: { assigneeId: agent, status: "assigned" } })).toEqual({ $set: { assigneeId: agent, status: "assigned", assigned: true } });
    expect(withDerivedKeysUpdate("conversations", { $set: { assigneeId: null } })).toEqual({ $set: { assigneeId: null, assigned: false } });
    expect(withDerivedKeysUpdate("conversations", { $set: { status: "resolved" } })).toEqual({ $set: { status: "resolved" } });
    expect(withDerivedKeys("contacts", { assigneeId: agent })).toEqual({ assigneeId: agent });
  });
});

describe("newestFirst", () => {
  it("returns every row exactly once, newest first, whatever the spread of times, page size and query budget", async () => {
    const spread = fc.oneof(fc.constant(60_000), fc.constant(3_600_000), fc.constant(86_400_000), fc.constant(400 * 86_400_000));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(1000), fc.boolean()), { maxLength: 120 }), spread, fc.integer({ min: 1, max: 30 }), fc.option(fc.integer({ min: 1, max: 8 })), async (points, range, limit, budget) => {
        // Points reuse instants on purpose (ties are broken by _id) and reach into the future a little.
        const rows = points.map(([p, future]) => withTimeKeys("conversations", { _id: new ObjectId(), lastActivityAt: new Date(NOW.getTime() + (future ? 30_000 : -Math.floor((p / 1000) * range))) }));
        const { seen } = await walkAll(rows, limit, budget ?? undefined);
        expect(seen.map((r) => r._id.toHexString())).toEqual([...rows].sort(order).map((r) => r._id.toHexString()));
      }),
      { numRuns: 150 },
    );
  });

  it("reads a busy inbox an hour at a time and a quiet one in a few coarse steps", async () => {
    // Busy: 60 conversations in each of the last 10 hours (NOW is on the hour, so its own hour has one).
    const busy = Array.from({ length: 600 }, (_, i) => withTimeKeys("conversations", { _id: new ObjectId(), lastActivityAt: new Date(NOW.getTime() - i * 60_000) }));
    const b = store(busy);
    const page = await newestFirst<Row>({ run: b.run, prefix: "activity", time: (r) => r.lastActivityAt, limit: 26, after: null, now: NOW });
    expect(page.rows).toEqual([...busy].sort(order).slice(0, 26));
    // Only hour buckets: the just-begun hour, then the hours the page needs, read together.
    expect(b.calls.every((c) => Object.keys(c).join() === "activityHour")).toBe(true);
    expect(b.calls.length).toBeLessThanOrEqual(5);

    // Quiet: three conversations over two years. Hour, day, 30 days, then everything older.
    const quiet = [1, 200, 700].map((days) => withTimeKeys("conversations", { _id: new ObjectId(), lastActivityAt: new Date(NOW.getTime() - days * 86_400_000) }));
    const q = store(quiet);
    const all = await newestFirst<Row>({ run: q.run, prefix: "activity", time: (r) => r.lastActivityAt, limit: 26, after: null, now: NOW });
    expect(all.rows).toEqual([...quiet].sort(order));
    const levels = q.calls.map((c) => Object.keys(c)[0] ?? "all");
    expect([...new Set(levels)]).toEqual(["activityHour", "activityDay", "activityMonth", "all"]);
    expect(levels.length).toBeLessThanOrEqual(8);
  });

  it("does not let a small budget stop it short of sparse older matches (a rare search word a few days back)", async () => {
    // Five minutes into the hour: the just-begun hour says little about density, so the walk reads
    // a few more hours before it climbs. Those empty queries must not use up the budget.
    const now = new Date(NOW.getTime() + 5 * 60_000);
    const rare = [2, 5].map((days) => withTimeKeys("conversations", { _id: new ObjectId(), lastActivityAt: new Date(NOW.getTime() - days * 86_400_000) }));
    const s = store(rare);
    const res = await newestFirst<Row>({ run: s.run, prefix: "activity", time: (r) => r.lastActivityAt, limit: 26, after: null, now, maxQueries: 4 });
    expect(res.rows).toEqual([...rare].sort(order));
    expect(res.stoppedAt).toBeNull();
  });

  it("stops at its query budget with a boundary to resume from, having returned everything newer", async () => {
    // 20 an hour for 10 hours: dense enough to stay hourly, more than 4 hourly queries can return.
    const rows = Array.from({ length: 200 }, (_, i) => withTimeKeys("conversations", { _id: new ObjectId(), lastActivityAt: new Date(NOW.getTime() - i * 3 * 60_000) }));
    const s = store(rows);
    const res = await newestFirst<Row>({ run: s.run, prefix: "activity", time: (r) => r.lastActivityAt, limit: 1000, after: null, now: NOW, maxQueries: 4 });
    expect(s.calls).toHaveLength(4);
    expect(res.stoppedAt).not.toBeNull();
    expect(res.rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(res.rows.includes(r)).toBe(r.lastActivityAt >= res.stoppedAt!.at);
  });
});
