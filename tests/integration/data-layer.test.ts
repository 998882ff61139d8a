import { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { ensureIndexes, indexes } from "@/lib/db/indexes";
import { rawCollection } from "@/lib/db/collections";
import { migrate } from "@/lib/db/migrations";
import { scoped } from "@/lib/db/scoped";
import { seedConversation, seedMessage } from "../support/inbox-fixtures";
import { createOrg } from "../support/factories";

describe("data layer", () => {
  it("creates every declared index idempotently, with the unique ones in place", async () => {
    const again = await ensureIndexes();
    expect(again.every((r) => r.action === "exists")).toBe(true);
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
      // (orgId, _id) is unique because _id is (lib/db/indexes.ts says why it is declared so).
      contacts: [{ orgId: 1, identityKey: 1 }, { orgId: 1, _id: 1 }],
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
    expect(await asA("users").countDocuments({})).toBe(6);
    expect(await asA("users").countDocuments({ orgId: b.orgId } as never)).toBe(6);
    expect(await asA("users").findOne({ _id: b.users.admin._id })).toBeNull();
    const res = await asA("users").updateMany({ _id: b.users.admin._id }, { $set: { name: "hijacked" } });
    expect(res.matchedCount).toBe(0);
    const agg = await asA("users").aggregate([{ $group: { _id: "$orgId", n: { $sum: 1 } } }]).toArray();
    expect(agg).toEqual([{ _id: a.orgId, n: 6 }]);
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

  it("migrates a database written by the previous version: obsolete fields and indexes go, twice is a no-op", async () => {
    const { orgId } = await createOrg();
    const c = await seedConversation(orgId);
    const m = await seedMessage(orgId, c, { text: "hello there" });
    // What the previous version wrote: time buckets and `assigned` on documents, indexes on them,
    // and a declared index name with an older key.
    const old = { activityHour: 490_000, activityDay: 20_400, activityMonth: 680, updatedMinute: 29_400_000, assigned: false };
    await rawCollection("conversations").updateOne({ _id: c._id }, { $set: old });
    await rawCollection("messages").updateOne({ _id: m._id }, { $set: { sentHour: 490_000, sentDay: 20_400, sentMonth: 680 } });
    // One retention period for everything, as an admin had set it.
    await rawCollection("settings").updateOne({ orgId }, { $set: { retentionDays: 14 }, $unset: { webhookLogRetentionDays: "", jobLogRetentionDays: "", aiRunRetentionDays: "" } });
    const db = getDb();
    await db.collection("conversations").createIndex({ orgId: 1, activityHour: 1, lastActivityAt: -1 }, { name: "org_activity_hour" });
    await db.collection("conversations").createIndex({ orgId: 1, assigned: 1, lastActivityAt: -1 }, { name: "org_assigned_activity" });
    await db.collection("messages").createIndex({ orgId: 1, sentDay: 1 }, { name: "org_sent_day" });
    // By key: mongo-java-server drops an index by name on every collection of the database.
    await db.command({ dropIndexes: "conversations", index: { orgId: 1, updatedAt: 1 } });
    await db.collection("conversations").createIndex({ orgId: 1, updatedMinute: 1 }, { name: "org_updated" });

    const first = await ensureIndexes();
    expect(first.filter((r) => r.action !== "exists").map((r) => `${r.action} ${r.collection}.${r.name}`).sort()).toEqual([
      "dropped conversations.org_activity_hour",
      "dropped conversations.org_assigned_activity",
      "dropped messages.org_sent_day",
      "replaced conversations.org_updated",
    ]);
    expect(await migrate()).toEqual([
      { collection: "conversations", fields: ["activityHour", "activityDay", "activityMonth", "updatedMinute", "assigned"], updated: 1 },
      { collection: "messages", fields: ["sentHour", "sentDay", "sentMonth"], updated: 1 },
      { collection: "settings", fields: ["retentionDays"], updated: 1 },
    ]);

    const keysOf = async (coll: string) => (await db.collection(coll).listIndexes().toArray()).map((i) => [i.name, i.key]);
    const declared = (coll: keyof typeof indexes) => [["_id_", { _id: 1 }], ...indexes[coll].map((i) => [i.name, i.key])];
    const check = async () => {
      expect(await keysOf("conversations")).toEqual(expect.arrayContaining(declared("conversations")));
      expect(await keysOf("conversations")).toHaveLength(declared("conversations").length);
      expect(await keysOf("messages")).toEqual(expect.arrayContaining(declared("messages")));
      expect(await keysOf("messages")).toHaveLength(declared("messages").length);
      const conversation = await rawCollection("conversations").findOne({ _id: c._id });
      for (const f of Object.keys(old)) expect(conversation).not.toHaveProperty(f);
      expect(conversation).toMatchObject({ status: c.status, lastActivityAt: c.lastActivityAt, searchTokens: c.searchTokens, contact: c.contact });
      const message = await rawCollection("messages").findOne({ _id: m._id });
      for (const f of ["sentHour", "sentDay", "sentMonth"]) expect(message).not.toHaveProperty(f);
      expect(message).toMatchObject({ text: "hello there", sentAt: m.sentAt, searchTokens: m.searchTokens });
      const settings = await rawCollection("settings").findOne({ orgId });
      expect(settings).toMatchObject({ webhookLogRetentionDays: 14, jobLogRetentionDays: 14, aiRunRetentionDays: 14 });
      expect(settings).not.toHaveProperty("retentionDays");
    };
    await check();

    // Run again: nothing to do, nothing changed.
    expect((await ensureIndexes()).every((r) => r.action === "exists")).toBe(true);
    expect((await migrate()).map((r) => r.updated)).toEqual([0, 0, 0]);
    await check();
  });
});
