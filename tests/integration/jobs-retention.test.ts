import { ObjectId } from "mongodb";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { scoped } from "@/lib/db/scoped";
import { jobRegistry } from "@/lib/jobs/registry";
import { runJob } from "@/lib/jobs/run-job";
import { createOrg } from "../support/factories";
import { useQstashEnv } from "../support/jobs";

const DAY = 24 * 3600 * 1000;
const ago = (days: number) => new Date(Date.now() - days * DAY);

// Only the fields retention reads; the documents' other fields belong to their owners' schemas.
async function seed(orgId: ObjectId | null, counts: { events?: [number, number][]; executions?: [number, number][]; runs?: [number, number][]; claims?: [number, number][] }) {
  const db = getDb();
  const docs = (pairs: [number, number][] | undefined, field: string, extra: Record<string, unknown>) =>
    (pairs ?? []).flatMap(([n, days]) => Array.from({ length: n }, () => ({ _id: new ObjectId(), orgId, [field]: ago(days), ...extra })));
  const events = docs(counts.events, "receivedAt", { source: "whatsapp", bodyHash: new ObjectId().toHexString(), outcome: "processed" });
  if (events.length) await db.collection("webhook_events").insertMany(events.map((e) => ({ ...e, bodyHash: new ObjectId().toHexString() })));
  const executions = docs(counts.executions, "startedAt", { job: "old-job", status: "completed" });
  if (executions.length) await db.collection("workflow_executions").insertMany(executions.map((e) => ({ ...e, messageId: `old-${e._id.toHexString()}` })));
  const runs = docs(counts.runs, "createdAt", { agentType: "conversation", outcome: "replied" });
  if (runs.length) await db.collection("ai_runs").insertMany(runs);
  const claims = docs(counts.claims, "createdAt", { by: "ai-reply" });
  if (claims.length) await db.collection("ai_reply_claims").insertMany(claims.map((c) => ({ ...c, key: `claim-${c._id.toHexString()}` })));
}

async function count(collection: string, orgId: ObjectId | null, field: string, olderThanDays?: number) {
  // workflow_executions also holds the retention runs themselves; count only the seeded records.
  const seeded = collection === "workflow_executions" ? { job: "old-job" } : {};
  return getDb().collection(collection).countDocuments({ orgId, ...seeded, ...(olderThanDays ? { [field]: { $lt: ago(olderThanDays) } } : {}) });
}

async function settled(check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("retention did not finish in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(() => useQstashEnv({}));

describe("retention job (in-process driver)", () => {
  it("deletes each kind of log after its own period (seed 002's policy by default), in bounded batches, re-enqueuing itself", async () => {
    const a = await createOrg("Default policy");
    const b = await createOrg("Short periods");
    await scoped(b.orgId)("settings").updateOne({}, { $set: { webhookLogRetentionDays: 2, jobLogRetentionDays: 5, aiRunRetentionDays: 7 } });
    // Org A keeps webhook logs 7 days, job records 30 and AI runs 90.
    await seed(a.orgId, { events: [[130, 40], [2, 5], [3, 1]], executions: [[4, 40], [2, 10]], runs: [[3, 100], [2, 10]] });
    await seed(b.orgId, { events: [[5, 10], [2, 1]], runs: [[3, 10], [1, 2]], claims: [[2, 10], [1, 1]] });
    await seed(null, { events: [[4, 45], [1, 1]] });

    // batchSize 10: a run deletes at most 100 per collection, so org A's 130 old envelopes need a second run.
    const outcome = await runJob(jobRegistry, "retention", { batchSize: 10 }, { messageId: "retention-test", attempt: 1 });
    expect(outcome).toEqual({ status: "completed" });
    await settled(async () => (await count("webhook_events", a.orgId, "receivedAt", 7)) === 0 && (await count("webhook_events", null, "receivedAt", 7)) === 0 && (await count("ai_runs", b.orgId, "createdAt", 7)) === 0);

    expect(await count("webhook_events", a.orgId, "receivedAt")).toBe(5);
    expect(await count("workflow_executions", a.orgId, "startedAt")).toBe(2);
    expect(await count("ai_runs", a.orgId, "createdAt")).toBe(2);
    expect(await count("webhook_events", b.orgId, "receivedAt")).toBe(2);
    expect(await count("ai_runs", b.orgId, "createdAt")).toBe(1);
    expect(await count("ai_reply_claims", b.orgId, "createdAt")).toBe(1);
    expect(await count("webhook_events", null, "receivedAt")).toBe(1);

    const runsForA = await getDb().collection("workflow_executions").find({ job: "retention", "payload.orgId": a.orgId.toHexString() }).toArray();
    await settled(async () => (await getDb().collection("workflow_executions").countDocuments({ job: "retention", status: { $ne: "completed" } })) === 0);
    expect(runsForA.length).toBeGreaterThanOrEqual(2);
  });

  it("refuses a malformed payload without retrying", async () => {
    expect(await runJob(jobRegistry, "retention", { orgId: "not-an-id" }, { messageId: "retention-bad", attempt: 1 })).toEqual({
      status: "failed",
      error: "Invalid payload: orgId Invalid string: must match pattern /^[a-f\\d]{24}$/i",
    });
  });
});
