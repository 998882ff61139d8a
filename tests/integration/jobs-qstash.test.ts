import { Client } from "@upstash/qstash";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { GET as listExecutionsRoute } from "@/app/api/jobs-admin/route";
import { POST as retryRoute } from "@/app/api/jobs-admin/[id]/retry/route";
import { POST as cronRoute, GET as cronGet } from "@/app/api/cron/[name]/route";
import { POST as jobRoute } from "@/app/api/jobs/[name]/route";
import { getDb } from "@/lib/db/client";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { defineJob, PermanentJobError } from "@/lib/jobs";
import { schedules } from "@/lib/jobs/schedules";
import { cronUrl, scheduleId, syncSchedules } from "@/lib/jobs/sync-schedules";
import { startQstashServer, type QstashServer } from "../fakes/qstash-server";
import { createOrg, request, routeParams } from "../support/factories";
import { enqueueTestBatch, enqueueTestJob, QSTASH_KEYS, registerTestJob, useQstashEnv } from "../support/jobs";
import { startRouteServer } from "../support/route-server";

/**
 * The whole QStash path with the real SDK: enqueue -> local QStash server -> signed HTTP delivery ->
 * POST /api/jobs/[name] (served over real HTTP) -> runJob -> workflow_executions.
 */
let qstash: QstashServer;
let app: Awaited<ReturnType<typeof startRouteServer>>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const effects = async () => getDb().collection<{ _id: string; applied: number }>("test_effects");

type Span = { key: string; start: number; end: number };
const spans: Span[] = [];
const started = new Map<string, number>();
let deadJobHealed = false;

const flaky = registerTestJob(
  defineJob({
    name: "test-flaky",
    schema: z.object({ key: z.string() }),
    retries: 3,
    async handle({ key }, ctx) {
      // Idempotent effect: an upsert keyed by the payload, so a repeated delivery changes nothing.
      await (await effects()).updateOne({ _id: key }, { $setOnInsert: { applied: Date.now() } }, { upsert: true });
      if (ctx.attempt < 3) throw new Error(`flaky failure on attempt ${ctx.attempt}`);
    },
  }),
);
const timed = registerTestJob(
  defineJob({
    name: "test-timed",
    schema: z.object({ key: z.string(), sleepMs: z.number().int().default(0) }),
    async handle({ key, sleepMs }) {
      const start = Date.now();
      started.set(key, start);
      await sleep(sleepMs);
      spans.push({ key, start, end: Date.now() });
    },
  }),
);
const permanent = registerTestJob(
  defineJob({
    name: "test-permanent",
    schema: z.object({}),
    async handle() {
      throw new PermanentJobError("the contact was deleted");
    },
  }),
);
const dying = registerTestJob(
  defineJob({
    name: "test-dying",
    schema: z.object({ orgId: z.string(), key: z.string() }),
    retries: 2,
    async handle() {
      if (!deadJobHealed) throw new Error("the downstream API is down");
    },
  }),
);

beforeAll(async () => {
  qstash = await startQstashServer({ ...QSTASH_KEYS, retryDelayMs: (n) => 40 * n });
  app = await startRouteServer([
    { pattern: "/api/jobs/:name", handlers: { POST: jobRoute } },
    { pattern: "/api/cron/:name", handlers: { POST: cronRoute, GET: cronGet } },
  ]);
  useQstashEnv({ qstashUrl: qstash.url, appUrl: app.url });
});
afterAll(async () => {
  await qstash.stop();
  await app.stop();
  useQstashEnv({});
});

const execution = async (messageId: string) => rawCollection("workflow_executions").findOne({ messageId });

describe("jobs on QStash (local QStash-compatible server, real SDK)", () => {
  it("retries a failing job with backoff; an idempotent handler has its effect once", async () => {
    const before = qstash.stats();
    const { messageId, deduplicated } = await enqueueTestJob(flaky, { key: "effect-1" });
    expect(deduplicated).toBe(false);
    await qstash.idle();
    const deliveries = qstash.deliveries().filter((d) => d.messageId === messageId);
    expect(deliveries.map((d) => [d.retried, d.status])).toEqual([[0, 500], [1, 500], [2, 200]]);
    // Backoff: each retry waits at least retryDelayMs(n) after the previous failure.
    expect(deliveries[1]!.startedAt - deliveries[0]!.finishedAt!).toBeGreaterThanOrEqual(40);
    expect(deliveries[2]!.startedAt - deliveries[1]!.finishedAt!).toBeGreaterThanOrEqual(80);
    expect(await (await effects()).countDocuments({ _id: "effect-1" })).toBe(1);
    expect(await execution(messageId)).toMatchObject({ job: "test-flaky", status: "completed", attempts: 3, error: null });
    expect(qstash.stats().retried - before.retried).toBe(2);
  });

  it("drops a second enqueue with the same deduplication id", async () => {
    const a = await enqueueTestJob(timed, { key: "dedup-a" }, { deduplicationId: "dedup-1" });
    const b = await enqueueTestJob(timed, { key: "dedup-b" }, { deduplicationId: "dedup-1" });
    expect(b).toEqual({ messageId: a.messageId, deduplicated: true });
    await qstash.idle();
    expect(qstash.deliveries().filter((d) => d.messageId === a.messageId)).toHaveLength(1);
    expect(started.has("dedup-a")).toBe(true);
    expect(started.has("dedup-b")).toBe(false);
  });

  it("delays the first delivery", async () => {
    const t0 = Date.now();
    await enqueueTestJob(timed, { key: "delayed" }, { delaySeconds: 1 });
    await enqueueTestJob(timed, { key: "not-delayed" });
    await qstash.idle();
    expect(started.get("not-delayed")! - t0).toBeLessThan(900);
    expect(started.get("delayed")! - t0).toBeGreaterThanOrEqual(1000);
  });

  it("runs one at a time under parallelism 1 (and overlaps without flow control)", async () => {
    const maxOverlap = (prefix: string) => {
      const s = spans.filter((x) => x.key.startsWith(prefix));
      return Math.max(...s.map((a) => s.filter((b) => b.start < a.end && a.start < b.end).length));
    };
    await enqueueTestBatch(Array.from({ length: 4 }, (_, i) => ({ job: timed, payload: { key: `free-${i}`, sleepMs: 150 } })));
    await enqueueTestBatch(Array.from({ length: 4 }, (_, i) => ({ job: timed, payload: { key: `par1-${i}`, sleepMs: 150 }, options: { flowControl: { key: "fc-parallel", parallelism: 1 } } })));
    await qstash.idle();
    expect(maxOverlap("free-")).toBeGreaterThan(1);
    expect(maxOverlap("par1-")).toBe(1);
  });

  it("starts at most `rate` jobs per period", async () => {
    const t0 = Date.now();
    const sent = await enqueueTestBatch(Array.from({ length: 6 }, (_, i) => ({ job: timed, payload: { key: `rate-${i}` }, options: { flowControl: { key: "fc-rate", rate: 2, periodSeconds: 1 } } })));
    await qstash.idle();
    expect([...started.keys()].filter((k) => k.startsWith("rate-"))).toHaveLength(6);
    // Flow control governs when QStash starts deliveries; handler start times add network and database jitter.
    const ids = new Set(sent.map((r) => r.messageId));
    const starts = qstash.deliveries().filter((d) => ids.has(d.messageId)).map((d) => d.startedAt).sort((a, b) => a - b);
    expect(starts).toHaveLength(6);
    for (const s of starts) expect(starts.filter((t) => t >= s && t < s + 1000).length).toBeLessThanOrEqual(2);
    expect(starts[5]! - t0).toBeGreaterThanOrEqual(2000);
  });

  it("publishes a large batch in calls of at most 100 messages", async () => {
    const before = qstash.stats();
    const results = await enqueueTestBatch(Array.from({ length: 130 }, (_, i) => ({ job: timed, payload: { key: `batch-${i}` } })));
    expect(results).toHaveLength(130);
    expect(new Set(results.map((r) => r.messageId)).size).toBe(130);
    const after = qstash.stats();
    expect(after.apiCalls["POST /v2/batch"]! - (before.apiCalls["POST /v2/batch"] ?? 0)).toBe(2);
    expect(after.published - before.published).toBe(130);
    await qstash.idle(30_000);
    expect([...started.keys()].filter((k) => k.startsWith("batch-"))).toHaveLength(130);
  });

  it("records a permanent failure once and does not retry it", async () => {
    const { messageId } = await enqueueTestJob(permanent, {});
    await qstash.idle();
    expect(qstash.deliveries().filter((d) => d.messageId === messageId).map((d) => d.status)).toEqual([200]);
    expect(await execution(messageId)).toMatchObject({ status: "failed", attempts: 1, error: "the contact was deleted" });
  });

  it("marks a job dead after its retries, shows it to admins, and retries it from the admin API", async () => {
    const { orgId, users } = await createOrg();
    const { messageId } = await enqueueTestJob(dying, { orgId: orgId.toHexString(), key: "dead-1" });
    await qstash.idle();
    expect(qstash.deliveries().filter((d) => d.messageId === messageId)).toHaveLength(3);
    expect(qstash.deadLetters().map((d) => d.messageId)).toContain(messageId);
    const dead = await execution(messageId);
    expect(dead).toMatchObject({ orgId, status: "dead", attempts: 3, error: "the downstream API is down", retriedAs: null });

    const list = await listExecutionsRoute(await request(users.admin, "/api/jobs-admin?status=dead"), routeParams({}));
    expect(list.status).toBe(200);
    const listed = (await list.json()).executions;
    expect(listed).toEqual([expect.objectContaining({ id: dead!._id.toHexString(), job: "test-dying", status: "dead", attempts: 3, error: "the downstream API is down", retryable: true })]);

    // Filtered by job (the page's Job select): that job's runs only.
    const byJob = async (job: string) => (await (await listExecutionsRoute(await request(users.admin, `/api/jobs-admin?job=${job}`), routeParams({}))).json()).executions as { job: string }[];
    expect((await byJob("test-dying")).map((e) => e.job)).toEqual(["test-dying"]);
    expect(await byJob("retention")).toEqual([]);

    const other = await createOrg("Other");
    const hidden = await listExecutionsRoute(await request(other.users.admin, "/api/jobs-admin?status=dead"), routeParams({}));
    expect((await hidden.json()).executions).toEqual([]);

    const id = dead!._id.toHexString();
    const forbidden = await retryRoute(await request(users.supervisor, `/api/jobs-admin/${id}/retry`, { method: "POST" }), routeParams({ id }));
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ error: { code: "forbidden", message: "Your role does not allow this action" } });
    const crossOrg = await retryRoute(await request(other.users.admin, `/api/jobs-admin/${id}/retry`, { method: "POST" }), routeParams({ id }));
    expect(crossOrg.status).toBe(404);
    expect(await crossOrg.json()).toEqual({ error: { code: "not_found", message: "No such job run" } });

    deadJobHealed = true;
    const retried = await retryRoute(await request(users.admin, `/api/jobs-admin/${id}/retry`, { method: "POST" }), routeParams({ id }));
    expect(retried.status).toBe(200);
    const body = await retried.json();
    expect(body.messageId).not.toBe(messageId);
    expect(body.execution).toMatchObject({ id, status: "dead", retriedAs: body.messageId, retryable: false });
    await qstash.idle();
    expect(await execution(body.messageId)).toMatchObject({ job: "test-dying", status: "completed", attempts: 1, payload: { orgId: orgId.toHexString(), key: "dead-1" } });

    const again = await retryRoute(await request(users.admin, `/api/jobs-admin/${id}/retry`, { method: "POST" }), routeParams({ id }));
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: { code: "conflict", message: "This run was already retried" } });
    const audit = await scoped(orgId)("activity_logs").findOne({ action: "job.retried" });
    expect(audit).toMatchObject({ actorId: users.admin._id, entityType: "job", entityId: dead!._id, after: { job: "test-dying", messageId: body.messageId } });
  });

  it("refuses to retry a run that completed", async () => {
    const { orgId, users } = await createOrg();
    const { messageId } = await enqueueTestJob(timed, { key: "fine", orgId: orgId.toHexString() });
    await qstash.idle();
    const done = await execution(messageId);
    const id = done!._id.toHexString();
    const res = await retryRoute(await request(users.admin, `/api/jobs-admin/${id}/retry`, { method: "POST" }), routeParams({ id }));
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: { code: "conflict", message: "Only failed or dead runs can be retried (this one is completed)" } });
  });

  it("syncs the declared schedules into QStash idempotently, and a schedule runs its job through /api/cron", async () => {
    const client = new Client({ token: QSTASH_KEYS.token, baseUrl: qstash.url, devMode: false, enableTelemetry: false });
    await client.schedules.create({ scheduleId: "crm-stale", destination: `${app.url}/api/cron/old-thing`, cron: "0 * * * *" });
    await client.schedules.create({ scheduleId: "not-ours", destination: "https://elsewhere.example.com/hook", cron: "0 * * * *" });

    const names = schedules.map((s) => s.name);
    expect(await syncSchedules({ client, appUrl: app.url })).toEqual({ created: names, updated: [], unchanged: [], deleted: ["crm-stale"] });
    expect(await syncSchedules({ client, appUrl: app.url })).toEqual({ created: [], updated: [], unchanged: names, deleted: [] });
    const changed = schedules.map((s) => (s.name === "retention" ? { ...s, cron: "0 4 * * *" } : s));
    expect(await syncSchedules({ client, appUrl: app.url, list: changed })).toEqual({ created: [], updated: ["retention"], unchanged: names.filter((n) => n !== "retention"), deleted: [] });

    const id = scheduleId("retention", app.url);
    const stored = await client.schedules.list();
    expect(stored.map((s) => s.scheduleId).sort()).toEqual([...names.map((n) => scheduleId(n, app.url)), "not-ours"].sort());
    expect(await client.schedules.get(id)).toMatchObject({ cron: "0 4 * * *", destination: cronUrl("retention", app.url), retries: 3, isPaused: false });

    const messageId = qstash.triggerSchedule(id);
    await qstash.idle();
    expect(qstash.deliveries().filter((d) => d.messageId === messageId).map((d) => [d.url, d.status, d.scheduleId])).toEqual([[cronUrl("retention", app.url), 200, id]]);
    expect(await execution(messageId)).toMatchObject({ job: "retention", status: "completed", attempts: 1 });
  });
});
