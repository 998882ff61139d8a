import { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { ensureIndexes, indexes } from "@/lib/db/indexes";
import { backfillDerivedKeys } from "@/lib/db/backfill-derived-keys";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { bucketOf } from "@/lib/db/time-keys";
import { seedConversation } from "../support/inbox-fixtures";
import { createOrg } from "../support/factories";

describe("data layer", () => {
  it("creates every declared index idempotently, with the unique ones in place", async () => {
    const again = await ensureIndexes();
    expect(again.every((r) => !r.created)).toBe(true);
    const db = getDb();
    const uniques = Object.fromEntries(
      await Promise.all(
        ["users", "contacts", "messages", "lead_scores", "customer_journeys"].map(async (c) => [
          c,
          (await db.collection(c).listIndexes().toArray()).filter((i) => i.unique).map((i) => i.key),
        ]),
      ),
    );
    expect(uniques).toEqual({
      users: [{ email: 1 }],
      contacts: [{ orgId: 1, identityKey: 1 }],
      messages: [{ orgId: 1, key: 1 }],
      lead_scores: [{ orgId: 1, contactId: 1 }],
      customer_journeys: [{ orgId: 1, contactId: 1 }],
    });
    for (const specs of Object.values(indexes)) for (const s of specs) expect(s).not.toHaveProperty("partialFilterExpression");
  });

  it("pins every query to its organization, even when a filter names another", async () => {
    const a = await createOrg("A");
    const b = await createOrg("B");
    const asA = scoped(a.orgId);
    expect(await asA("users").countDocuments({})).toBe(5);
    expect(await asA("users").countDocuments({ orgId: b.orgId } as never)).toBe(5);
    expect(await asA("users").findOne({ _id: b.users.admin._id })).toBeNull();
    const res = await asA("users").updateMany({ _id: b.users.admin._id }, { $set: { name: "hijacked" } });
    expect(res.matchedCount).toBe(0);
    const agg = await asA("users").aggregate([{ $group: { _id: "$orgId", n: { $sum: 1 } } }]).toArray();
    expect(agg).toEqual([{ _id: a.orgId, n: 5 }]);
  });

  it("sets orgId on insert and refuses duplicates of a unique key with 11000", async () => {
    const { orgId } = await createOrg();
    const db = scoped(orgId);
    const now = new Date();
    const doc = { _id: new ObjectId(), shortcut: "hello", title: "Hello", body: "Hi there", createdBy: null, createdAt: now, updatedAt: now };
    await db("canned_responses").insertOne(doc);
    expect((await db("canned_responses").findOne({ shortcut: "hello" }))!.orgId).toEqual(orgId);
    await expect(db("canned_responses").insertOne({ ...doc, _id: new ObjectId() })).rejects.toMatchObject({ code: 11000 });
  });

  it("writes the derived keys the inbox lists read on every insert and update, and backfills older documents", async () => {
    const { orgId } = await createOrg();
    const at = new Date("2026-03-04T05:06:07Z");
    const later = new Date("2026-05-06T07:08:09Z");
    const keysOf = (d: Date) => ({ activityHour: bucketOf("hour", d), activityDay: bucketOf("day", d), activityMonth: bucketOf("month", d) });
    const c = await seedConversation(orgId, { lastActivityAt: at });
    const db = scoped(orgId)("conversations");
    expect(await db.findOne({ _id: c._id })).toMatchObject(keysOf(at));
    // $max, as inbound deliveries use it: an older time leaves the keys, a newer one moves them.
    await db.updateOne({ _id: c._id }, { $max: { lastActivityAt: new Date(at.getTime() - 86_400_000) } });
    expect(await db.findOne({ _id: c._id })).toMatchObject(keysOf(at));
    await db.updateOne({ _id: c._id }, { $max: { lastActivityAt: later }, $set: { updatedAt: later } });
    expect(await db.findOne({ _id: c._id })).toMatchObject({ ...keysOf(later), updatedMinute: bucketOf("minute", later) });

    // A document written before the keys existed (or by another tool) gets them from the backfill.
    const raw = rawCollection("conversations");
    const old = new ObjectId();
    await raw.insertOne({ ...(await db.findOne({ _id: c._id }))!, _id: old, liveKey: `old:${old.toHexString()}`, activityHour: undefined, activityDay: undefined, activityMonth: undefined, updatedMinute: undefined, assigned: undefined } as never, { ignoreUndefined: true });
    expect(await raw.findOne({ _id: old })).not.toHaveProperty("activityHour");
    expect(await backfillDerivedKeys()).toBeGreaterThanOrEqual(1);
    expect(await raw.findOne({ _id: old })).toMatchObject({ ...keysOf(later), updatedMinute: bucketOf("minute", later), assigned: false });
  });
});
