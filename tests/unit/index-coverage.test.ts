import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MongoClient, ObjectId, type IndexDescription } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachCommandLog, type CommandRecord, type FilterShape, type QueryShape } from "@/lib/db/command-log";
import { checkShape, collectionIndexes, type Rules } from "../support/index-coverage/esr";
import { e2eLogFile, vitestLogFile } from "../support/index-coverage/files";
import { coverageReport, runIndexCoverageCheck } from "../support/index-coverage/report";

const tmp = mkdtempSync(path.join(os.tmpdir(), "index-coverage-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("command log", () => {
  let client: MongoClient;
  const file = path.join(tmp, "log", "commands.jsonl");
  const lines = () => readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as CommandRecord);

  beforeAll(async () => {
    client = new MongoClient(process.env.MONGODB_URI!, { monitorCommands: true });
    attachCommandLog(client, file);
  });
  afterAll(() => client.close());

  it("writes one line per command with its collection and query shapes, values replaced by their kinds", async () => {
    const db = client.db(process.env.MONGODB_DB);
    const orgId = new ObjectId();
    const people = db.collection("cl_people");
    await people.insertMany([1, 2, 3, 4, 5].map((n) => ({ orgId, n, email: `person${n}@example.com`, tags: ["vip"] })));
    await people.findOne({ _id: new ObjectId() });
    await people.find({ orgId, n: { $gte: 2, $lt: 9 }, email: /example/, tags: { $in: ["vip", "new"] }, left: null }).sort({ n: -1, _id: -1 }).limit(3).toArray();
    await people.find({ orgId }).batchSize(2).toArray();
    await people.countDocuments({ orgId, "profile.city": { $exists: true, $ne: null } }, { limit: 10 });
    await people.aggregate([{ $match: { orgId } }, { $match: { n: { $nin: [1] } } }, { $sort: { n: 1 } }, { $limit: 2 }, { $lookup: { from: "cl_notes", localField: "_id", foreignField: "personId", as: "notes" } }]).toArray();
    await people.bulkWrite([
      { updateOne: { filter: { orgId, n: 1 }, update: { $set: { seen: true } } } },
      { updateOne: { filter: { orgId, n: 2 }, update: { $set: { seen: true } } } },
      { updateMany: { filter: { orgId, $or: [{ n: { $lt: 2 } }, { n: 2, _id: { $lt: new ObjectId() } }] }, update: { $set: { old: true } } } },
    ]);
    await people.findOneAndUpdate({ orgId, seen: true }, { $set: { seen: false } }, { sort: { n: 1 } });
    await people.deleteOne({ orgId, n: 5 });

    const recorded = lines();
    expect(recorded.every((l) => typeof l.t === "number" && l.t > 0)).toBe(true);
    expect(recorded.map(({ cmd, coll, shapes }) => ({ cmd, coll, shapes }))).toEqual([
      { cmd: "insert", coll: "cl_people", shapes: undefined },
      { cmd: "find", coll: "cl_people", shapes: [{ filter: { _id: "eq" }, limit: 1 }] },
      {
        cmd: "find",
        coll: "cl_people",
        shapes: [{ filter: { orgId: "eq", n: "range", email: "regex", tags: "in:2", left: "null" }, sort: { n: -1, _id: -1 }, limit: 3 }],
      },
      { cmd: "find", coll: "cl_people", shapes: [{ filter: { orgId: "eq" } }] },
      // 5 documents in batches of 2: the first batch, then two round trips for the rest.
      { cmd: "getMore", coll: "cl_people", shapes: undefined },
      { cmd: "getMore", coll: "cl_people", shapes: undefined },
      { cmd: "aggregate", coll: "cl_people", shapes: [{ filter: { orgId: "eq", "profile.city": "exists+ne" }, limit: 10 }] },
      {
        cmd: "aggregate",
        coll: "cl_people",
        shapes: [
          { filter: { $and: [{ orgId: "eq" }, { n: "nin" }] }, sort: { n: 1 }, limit: 2 },
          { coll: "cl_notes", filter: { personId: "eq" } },
        ],
      },
      {
        cmd: "update",
        coll: "cl_people",
        shapes: [{ filter: { orgId: "eq", n: "eq" }, limit: 1 }, { filter: { orgId: "eq", $or: [{ n: "range" }, { n: "eq", _id: "range" }] } }],
      },
      { cmd: "findAndModify", coll: "cl_people", shapes: [{ filter: { orgId: "eq", seen: "eq" }, sort: { n: 1 }, limit: 1 }] },
      { cmd: "delete", coll: "cl_people", shapes: [{ filter: { orgId: "eq", n: "eq" }, limit: 1 }] },
    ]);
    expect(readFileSync(file, "utf8")).not.toContain("example");
  });
});

const declared: Record<string, IndexDescription[]> = {
  conversations: [
    { key: { orgId: 1, liveKey: 1 }, name: "org_live_unique", unique: true },
    { key: { orgId: 1, lastActivityAt: -1, _id: -1 }, name: "org_activity" },
    { key: { orgId: 1, status: 1, lastActivityAt: -1, _id: -1 }, name: "org_status_activity" },
    { key: { orgId: 1, assigneeId: 1, lastActivityAt: -1 }, name: "org_assignee_activity" },
    { key: { orgId: 1, contactId: 1, createdAt: -1 }, name: "org_contact" },
    { key: { orgId: 1, updatedAt: 1 }, name: "org_updated" },
    { key: { orgId: 1, snoozedUntil: 1 }, name: "org_snoozed" },
  ],
  contacts: [
    { key: { orgId: 1, identityKey: 1 }, name: "org_identity_unique", unique: true },
    { key: { orgId: 1, bsuid: 1 }, name: "org_bsuid" },
  ],
};
const noRules: Rules = { residualFields: [], deliberateScans: [] };
const check = (coll: string, shape: QueryShape, rules: Rules = noRules, cmd = "find") => checkShape(collectionIndexes(declared, coll), coll, cmd, shape, rules);
const newestFirst = { lastActivityAt: -1, _id: -1 } as const;

describe("index coverage by the ESR rule", () => {
  it("covers equality fields in any order, then the sort in its directions or all reversed, then ranges", () => {
    expect(check("conversations", { filter: { status: "eq", orgId: "eq" }, sort: newestFirst })).toEqual({ status: "covered", indexes: ["org_status_activity"] });
    expect(check("conversations", { filter: { orgId: "eq", status: "eq" }, sort: { lastActivityAt: 1, _id: 1 } })).toEqual({ status: "covered", indexes: ["org_status_activity"] });
    expect(check("conversations", { filter: { contactId: "eq", orgId: "eq" }, sort: { createdAt: -1 }, limit: 1 })).toEqual({ status: "covered", indexes: ["org_contact"] });
    expect(check("conversations", { filter: { orgId: "eq", updatedAt: "range" } })).toEqual({ status: "covered", indexes: ["org_updated"] });
    // The widest match wins: org_activity also starts with orgId, but serves no sort here.
    expect(check("conversations", { filter: { orgId: "eq", status: "eq" } })).toEqual({ status: "covered", indexes: ["org_status_activity"] });
  });

  it("counts a short $in, null (null or missing) and $all as equality, a long $in as a range", () => {
    expect(check("conversations", { filter: { orgId: "eq", status: "in:3" }, sort: newestFirst })).toMatchObject({ status: "covered" });
    expect(check("conversations", { filter: { orgId: "eq", assigneeId: "null" }, sort: { lastActivityAt: -1 } })).toEqual({ status: "covered", indexes: ["org_assignee_activity"] });
    expect(check("conversations", { filter: { orgId: "eq", status: "in:500" }, sort: newestFirst })).toMatchObject({ status: "uncovered" });
  });

  it("rejects mixed sort directions, a sort the index lacks a key for, and a range before the sort", () => {
    expect(check("conversations", { filter: { orgId: "eq", status: "eq" }, sort: { lastActivityAt: -1, _id: 1 } })).toMatchObject({
      status: "uncovered",
      reason: expect.stringContaining("sort directions"),
    });
    // The trailing _id tie-break needs _id in the index.
    expect(check("conversations", { filter: { orgId: "eq", assigneeId: "eq" }, sort: newestFirst })).toEqual({
      status: "uncovered",
      reason: "closest index org_assignee_activity (orgId, assigneeId, lastActivityAt -1): sort field _id is not its next key after orgId, assigneeId, lastActivityAt",
      suggestion: { orgId: 1, assigneeId: 1, lastActivityAt: -1, _id: -1 },
    });
    expect(check("conversations", { filter: { orgId: "eq", status: "ne" }, sort: newestFirst })).toMatchObject({
      status: "uncovered",
      suggestion: { orgId: 1, lastActivityAt: -1, _id: -1, status: 1 },
    });
  });

  it("rejects a predicate the index does not hold unless the collection allows it as a residual", () => {
    const sparseView = { filter: { orgId: "eq", priority: "eq" }, sort: newestFirst };
    expect(check("conversations", sparseView)).toMatchObject({ status: "uncovered", reason: expect.stringContaining("priority") });
    const rules: Rules = { residualFields: [{ coll: "conversations", field: "priority", reason: "test" }], deliberateScans: [] };
    expect(check("conversations", sparseView, rules)).toEqual({ status: "covered", indexes: ["org_activity"] });
    expect(check("conversations", { filter: { orgId: "eq", updatedAt: "range", deletedAt: "exists" } })).toMatchObject({ status: "uncovered" });
    expect(check("conversations", { filter: { orgId: "eq", $expr: "expr" } })).toEqual({ status: "uncovered", reason: "$expr: no index bound serves this predicate" });
  });

  it("treats a keyset cursor $or as a range on the sort fields and any other $or branch by branch", () => {
    const cursor: FilterShape = { $or: [{ lastActivityAt: "range" }, { lastActivityAt: "eq", _id: "range" }] };
    expect(check("conversations", { filter: { orgId: "eq", status: "eq", ...cursor }, sort: newestFirst, limit: 26 })).toEqual({ status: "covered", indexes: ["org_status_activity"] });
    const identity: QueryShape = { filter: { orgId: "eq", $or: [{ identityKey: "eq" }, { bsuid: "eq" }] }, limit: 1 };
    expect(check("contacts", identity)).toEqual({ status: "covered", indexes: ["org_identity_unique", "org_bsuid"] });
    expect(check("contacts", { filter: { orgId: "eq", $or: [{ identityKey: "eq" }, { phone: "eq" }] } })).toMatchObject({
      status: "uncovered",
      reason: expect.stringMatching(/^\$or branch 2 of 2 \(orgId, phone\)/),
    });
  });

  it("covers point lookups whatever else they filter, and rejects tenant queries without their equality prefix", () => {
    expect(check("conversations", { filter: { _id: "eq", orgId: "eq", $or: [{ lastMessage: "null" }, { "lastMessage.at": "range" }] } })).toEqual({ status: "covered", indexes: ["_id_"] });
    expect(check("conversations", { filter: { _id: "in:900", orgId: "eq" } })).toEqual({ status: "covered", indexes: ["_id_"] });
    expect(check("conversations", { filter: { orgId: "eq", liveKey: "eq", status: "ne" }, limit: 1 }, noRules, "findAndModify")).toEqual({ status: "covered", indexes: ["org_live_unique"] });
    expect(check("conversations", { filter: { status: "eq", snoozedUntil: "range" } })).toEqual({
      status: "uncovered",
      reason: "no index starts with its equality fields",
      suggestion: { status: 1, snoozedUntil: 1 },
    });
  });

  it("covers reading the first documents and metadata counts, not an unbounded scan; allows listed deliberate scans", () => {
    expect(check("contacts", { filter: {} })).toEqual({ status: "uncovered", reason: "nothing an index could narrow: a collection scan" });
    expect(check("contacts", { filter: {}, limit: 1 })).toEqual({ status: "covered", indexes: [] });
    expect(check("contacts", { filter: {} }, noRules, "count")).toEqual({ status: "covered", indexes: [] });
    const rules: Rules = { residualFields: [], deliberateScans: [{ coll: "contacts", filter: { orgId: "eq", $comment: "x" }, reason: "export" }] };
    expect(check("contacts", { filter: { $comment: "x", orgId: "eq" } }, rules)).toEqual({ status: "allowed", reason: "export" });
  });

  it("knows the indexes the driver creates for GridFS buckets", () => {
    expect(check("media.chunks", { filter: { files_id: "eq" }, sort: { n: 1 } })).toEqual({ status: "covered", indexes: ["files_id_1_n_1"] });
  });
});

describe("coverage report", () => {
  const line = (cmd: string, coll: string, shapes?: QueryShape[]) => `${JSON.stringify({ t: 1, cmd, coll, shapes })}\n`;

  it("fails naming each uncovered shape with where it was recorded, and lists declared indexes nothing used", () => {
    const dir = path.join(tmp, "run");
    const unit = vitestLogFile(dir, path.resolve("tests/integration/inbox-list.test.ts"));
    mkdirSync(path.dirname(unit), { recursive: true });
    // Sent by the app (inside a route): a Vitest log's unscoped commands are the test's own and are not checked.
    const app = (l: string) => l.replace(/}\n$/, ',"scope":"route"}\n');
    writeFileSync(unit, line("insert", "conversations") + app(line("find", "conversations", [{ filter: { orgId: "eq", status: "eq" }, sort: newestFirst, limit: 26 }])) + line("getMore", "conversations") + line("find", "conversations", [{ filter: { orgId: "eq", tags: "eq" } }]));
    writeFileSync(e2eLogFile(dir), line("find", "conversations", [{ filter: { orgId: "eq", priority: "eq" }, sort: newestFirst }]).repeat(2) + "{broken\n");

    const report = coverageReport(dir, declared, noRules);
    expect(report).toMatchObject({ commands: 6, logs: 2, unreadable: 1 });
    expect(report.shapes.map((s) => [s.cmd, s.verdict.status, s.count, [...s.sources]])).toEqual([
      ["find", "uncovered", 2, ["e2e (Playwright, app server)"]],
      ["find", "covered", 1, ["tests/integration/inbox-list.test.ts"]],
    ]);
    expect(report.unused.map((u) => `${u.coll}.${u.index}`)).toEqual([
      "conversations.org_activity (orgId, lastActivityAt -1, _id -1)",
      "conversations.org_assignee_activity (orgId, assigneeId, lastActivityAt -1)",
      "conversations.org_contact (orgId, contactId, createdAt -1)",
      "conversations.org_updated (orgId, updatedAt)",
      "conversations.org_snoozed (orgId, snoozedUntil)",
      "contacts.org_bsuid (orgId, bsuid)",
    ]);

    const { ok, text } = runIndexCoverageCheck(dir, declared, noRules);
    expect(ok).toBe(false);
    expect(text).toContain(
      [
        "  conversations",
        '    find {"filter":{"orgId":"eq","priority":"eq"},"sort":{"lastActivityAt":-1,"_id":-1}}  x2',
        "      why: closest index org_activity (orgId, lastActivityAt -1, _id -1): equality field priority not among its leading keys",
        '      an ESR index: {"orgId":1,"priority":1,"lastActivityAt":-1,"_id":-1}',
        "      from: e2e (Playwright, app server)",
      ].join("\n"),
    );
  });

  it("fails when nothing was recorded", () => {
    const { ok, text } = runIndexCoverageCheck(path.join(tmp, "empty"), declared, noRules);
    expect(ok).toBe(false);
    expect(text).toContain("No command was recorded");
  });
});
