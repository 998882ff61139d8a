import { MongoClient, ObjectId, type Db } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * What the product relies on from MongoDB (docs/architecture.md, "What the code may rely on"),
 * checked against whichever engine this run uses: Atlas or a real mongod when MONGODB_URI points
 * at one, mongo-java-server offline. A local engine that breaks one of these must fail here, not
 * in a customer's inbox. Concurrency uses many connections, as many serverless instances would.
 */
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  client = await MongoClient.connect(process.env.MONGODB_URI!, { maxPoolSize: 50 });
  db = client.db(`${process.env.MONGODB_DB}_engine`);
});
afterAll(async () => {
  await db.dropDatabase().catch(() => {});
  await client.close();
});

const times = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("engine guarantees the product relies on", () => {
  it("applies every concurrent $inc to one document (50 clients x 100)", async () => {
    const col = db.collection<{ _id: string; n: number }>("inc");
    await col.insertOne({ _id: "counter", n: 0 });
    await Promise.all(times(50).map(async () => {
      for (const _ of times(100)) await col.updateOne({ _id: "counter" }, { $inc: { n: 1 } });
    }));
    expect((await col.findOne({ _id: "counter" }))!.n).toBe(5000);
  });

  it("lets exactly one of 20 concurrent compare-and-set findOneAndUpdate calls win", async () => {
    const col = db.collection<{ _id: number; state: string }>("cas");
    for (const round of times(5)) {
      await col.insertOne({ _id: round, state: "a" });
      const results = await Promise.all(times(20).map(() => col.findOneAndUpdate({ _id: round, state: "a" }, { $set: { state: "b" } })));
      expect(results.filter(Boolean)).toHaveLength(1);
    }
  });

  it("hands each of 40 concurrent findOneAndUpdate $inc calls its own value (returnDocument after), also when the first one upserts", async () => {
    // Ticket numbers (lib/tickets/numbering.ts) are this call. Five rounds: a broken engine fails most single ones.
    const col = db.collection<{ _id?: ObjectId; orgId: ObjectId; name: string; seq: number; updatedAt: Date }>("sequences");
    await col.createIndex({ orgId: 1, name: 1 }, { unique: true });
    for (const _ of times(5)) {
      const orgId = new ObjectId();
      const next = async () => {
        for (;;) {
          try {
            return (await col.findOneAndUpdate({ name: "s", orgId }, { $inc: { seq: 1 }, $set: { updatedAt: new Date() }, $setOnInsert: { _id: new ObjectId() } }, { upsert: true, returnDocument: "after" }))!.seq;
          } catch (err) {
            // A losing upsert racer may get 11000, as with updateOne below; the product retries it.
            if ((err as { code?: number }).code !== 11000) throw err;
          }
        }
      };
      const values = await Promise.all(times(40).map(next));
      expect([...values].sort((x, y) => x - y)).toEqual(times(40).map((i) => i + 1));
    }
  });

  it("upserts one document for 20 concurrent upserts on a unique key, and $setOnInsert keeps nulls", async () => {
    const col = db.collection<{ _id?: ObjectId; key: string; assigneeId: null; tags: string[] }>("upsert");
    await col.createIndex({ key: 1 }, { unique: true });
    for (const round of times(5)) {
      const key = `k${round}`;
      const outcomes = await Promise.allSettled(times(20).map(() => col.updateOne({ key }, { $setOnInsert: { key, assigneeId: null, tags: [] } }, { upsert: true })));
      // MongoDB may answer a losing racer with 11000 (the driver does not retry upserts); the product retries those once.
      const failures = outcomes.filter((o) => o.status === "rejected").map((o) => (o as PromiseRejectedResult).reason.code);
      expect(failures.every((code) => code === 11000)).toBe(true);
      expect(await col.countDocuments({ key })).toBe(1);
    }
    const doc = await col.findOne({ key: "k0" });
    expect(doc).toHaveProperty("assigneeId", null);
    expect(doc!.tags).toEqual([]);
  });

  it("runs the update operators the code uses: $max, $push with $slice, arrayFilters, and findOneAndUpdate with a projection", async () => {
    const col = db.collection<{ _id: string; rank: number; last: number[]; items: { id: string; n: number }[]; secret?: string }>("ops");
    await col.insertOne({ _id: "d", rank: 2, last: [], items: [{ id: "a", n: 1 }, { id: "b", n: 1 }], secret: "x" });
    await col.updateOne({ _id: "d" }, { $max: { rank: 1 } });
    await col.updateOne({ _id: "d" }, { $max: { rank: 3 } });
    for (const n of times(5)) await col.updateOne({ _id: "d" }, { $push: { last: { $each: [n], $slice: -3 } } });
    await col.updateOne({ _id: "d" }, { $inc: { "items.$[it].n": 5 } }, { arrayFilters: [{ "it.id": "b" }] });
    const doc = await col.findOneAndUpdate({ _id: "d" }, { $set: { touched: true } as never }, { returnDocument: "after", projection: { secret: 0 } });
    expect(doc).toMatchObject({ rank: 3, last: [2, 3, 4], items: [{ id: "a", n: 1 }, { id: "b", n: 6 }] });
    expect(doc).not.toHaveProperty("secret");
  });

  it("aggregates with $group/$sum of a field, $lookup and $facet", async () => {
    const orders = db.collection("orders");
    const people = db.collection("people");
    await people.insertMany([{ _id: "p1" as never, name: "Ana" }, { _id: "p2" as never, name: "Ben" }]);
    await orders.insertMany([{ who: "p1", total: 5 }, { who: "p1", total: 7 }, { who: "p2", total: 1 }]);
    const sums = await orders.aggregate([{ $group: { _id: "$who", total: { $sum: "$total" }, n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
    expect(sums).toEqual([{ _id: "p1", total: 12, n: 2 }, { _id: "p2", total: 1, n: 1 }]);
    const joined = await orders.aggregate([{ $match: { who: "p2" } }, { $lookup: { from: "people", localField: "who", foreignField: "_id", as: "person" } }]).toArray();
    expect(joined[0]!.person[0].name).toBe("Ben");
    const [facets] = await orders.aggregate([{ $facet: { count: [{ $count: "n" }], top: [{ $sort: { total: -1 } }, { $limit: 1 }] } }]).toArray();
    expect(facets!.count[0].n).toBe(3);
    expect(facets!.top[0].total).toBe(7);
  });

  it("keeps a sparse unique index's guarantee while allowing many documents without the field", async () => {
    const col = db.collection("sparse");
    await col.createIndex({ email: 1 }, { unique: true, sparse: true });
    await col.insertMany([{ name: "no email 1" }, { name: "no email 2" }, { email: "a@example.com" }]);
    await expect(col.insertOne({ email: "a@example.com" })).rejects.toMatchObject({ code: 11000 });
  });

  it("delivers change stream events", async () => {
    const col = db.collection("watched");
    const stream = col.watch([{ $match: { operationType: "insert" } }]);
    // tryNext opens the stream on the server (empty first batch); an insert after it is seen.
    expect(await stream.tryNext()).toBeNull();
    await col.insertOne({ hello: "world" });
    const change = await stream.next();
    expect(change.operationType).toBe("insert");
    await stream.close();
  });
});
