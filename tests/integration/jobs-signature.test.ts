import { randomUUID } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { POST as jobRoute } from "@/app/api/jobs/[name]/route";
import { rawCollection } from "@/lib/db/collections";
import { resetEnvCache } from "@/lib/env";
import { defineJob, PermanentJobError } from "@/lib/jobs";
import { signQstashJwt } from "../fakes/qstash-server";
import { request, routeParams } from "../support/factories";
import { QSTASH_KEYS, registerTestJob, useQstashEnv } from "../support/jobs";

const APP = "http://127.0.0.1:3999";
let runs: { n: number; messageId: string; attempt: number }[] = [];
let behaviour: "ok" | "transient" | "permanent" = "ok";

registerTestJob(
  defineJob({
    name: "test-sig",
    schema: z.object({ n: z.number().int() }),
    retries: 2,
    async handle(payload, ctx) {
      runs.push({ n: payload.n, messageId: ctx.messageId, attempt: ctx.attempt });
      if (behaviour === "transient") throw new Error("database briefly unavailable");
      if (behaviour === "permanent") throw new PermanentJobError("the conversation no longer exists");
    },
  }),
);

beforeAll(() => useQstashEnv({ appUrl: APP }));
beforeEach(() => {
  runs = [];
  behaviour = "ok";
});

async function deliver(opts: { job?: string; body?: string; signature?: string | null; messageId?: string; retried?: number }) {
  const job = opts.job ?? "test-sig";
  const body = opts.body ?? JSON.stringify({ n: 1 });
  const headers: Record<string, string> = { "content-type": "application/json", "upstash-message-id": opts.messageId ?? `msg_${randomUUID()}`, "upstash-retried": String(opts.retried ?? 0) };
  const signature = opts.signature === undefined ? signQstashJwt({ key: QSTASH_KEYS.currentSigningKey, url: `${APP}/api/jobs/${job}`, body }) : opts.signature;
  if (signature !== null) headers["upstash-signature"] = signature;
  return jobRoute(await request(null, `/api/jobs/${job}`, { method: "POST", rawBody: body, headers }), routeParams({ name: job }));
}

const executions = async () => rawCollection("workflow_executions").find({ job: "test-sig" }).toArray();

describe("POST /api/jobs/[name]: QStash signature verification", () => {
  it("runs the job for a valid signature and records the run", async () => {
    const res = await deliver({ messageId: "msg_valid" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "completed" });
    expect(runs).toEqual([{ n: 1, messageId: "msg_valid", attempt: 1 }]);
    expect(await rawCollection("workflow_executions").findOne({ messageId: "msg_valid" })).toMatchObject({ job: "test-sig", status: "completed", attempts: 1, error: null, payload: { n: 1 } });
  });

  it("accepts a signature made with the next signing key (key rotation)", async () => {
    const body = JSON.stringify({ n: 2 });
    const res = await deliver({ body, signature: signQstashJwt({ key: QSTASH_KEYS.nextSigningKey, url: `${APP}/api/jobs/test-sig`, body }) });
    expect(res.status).toBe(200);
    expect(runs.map((r) => r.n)).toEqual([2]);
  });

  const body = JSON.stringify({ n: 1 });
  const url = `${APP}/api/jobs/test-sig`;
  const cases: { name: string; signature: () => string | null; body?: string }[] = [
    { name: "a missing signature", signature: () => null },
    { name: "a signature that is not a JWT", signature: () => "not-a-jwt" },
    { name: "a wrong signing key", signature: () => signQstashJwt({ key: "sig_someone_elses_key", url, body }) },
    { name: "a tampered body", signature: () => signQstashJwt({ key: QSTASH_KEYS.currentSigningKey, url, body }), body: JSON.stringify({ n: 999 }) },
    { name: "another job's URL (sub)", signature: () => signQstashJwt({ key: QSTASH_KEYS.currentSigningKey, url: `${APP}/api/jobs/retention`, body }) },
    { name: "another host's URL (sub)", signature: () => signQstashJwt({ key: QSTASH_KEYS.currentSigningKey, url: "https://evil.example.com/api/jobs/test-sig", body }) },
    { name: "an expired JWT", signature: () => signQstashJwt({ key: QSTASH_KEYS.currentSigningKey, url, body, now: Date.now() - 10 * 60_000 }) },
    { name: "a JWT not valid yet", signature: () => signQstashJwt({ key: QSTASH_KEYS.currentSigningKey, url, body, now: Date.now() + 10 * 60_000 }) },
    { name: "a wrong issuer", signature: () => signQstashJwt({ key: QSTASH_KEYS.currentSigningKey, url, body, issuer: "NotUpstash" }) },
  ];
  it.each(cases)("answers 401 and runs nothing for $name", async (c) => {
    const recorded = (await executions()).length;
    const res = await deliver({ body: c.body ?? body, signature: c.signature() });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: "unauthorized", message: "Invalid or missing QStash signature" } });
    expect(runs).toEqual([]);
    expect(await executions()).toHaveLength(recorded);
  });

  it("fails closed when the signing keys are not configured", async () => {
    useQstashEnv({ appUrl: APP, keys: false });
    try {
      const res = await deliver({});
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: "unauthorized", message: "Invalid or missing QStash signature" } });
      expect(runs).toEqual([]);
    } finally {
      useQstashEnv({ appUrl: APP });
    }
  });

  it("skips the check only with DEV_SKIP_SIGNATURES outside production", async () => {
    process.env.DEV_SKIP_SIGNATURES = "true";
    resetEnvCache();
    try {
      const res = await deliver({ signature: null });
      expect(res.status).toBe(200);
      expect(runs).toHaveLength(1);
    } finally {
      delete process.env.DEV_SKIP_SIGNATURES;
      resetEnvCache();
    }
  });
});

describe("POST /api/jobs/[name]: outcomes", () => {
  it("records a payload failing its schema as failed and answers 2xx so QStash does not retry", async () => {
    const res = await deliver({ body: JSON.stringify({ n: "one" }), messageId: "msg_bad_payload" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "failed", error: "Invalid payload: n Invalid input: expected number, received string" });
    expect(runs).toEqual([]);
    expect(await rawCollection("workflow_executions").findOne({ messageId: "msg_bad_payload" })).toMatchObject({ status: "failed", attempts: 1 });
  });

  it("records an unknown job as failed without retry", async () => {
    const body = "{}";
    const res = await deliver({ job: "no-such-job", body, signature: signQstashJwt({ key: QSTASH_KEYS.currentSigningKey, url: `${APP}/api/jobs/no-such-job`, body }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "failed", error: 'Unknown job "no-such-job"' });
  });

  it("answers 5xx on a transient failure until the retries are spent, then records the run as dead", async () => {
    behaviour = "transient";
    const first = await deliver({ messageId: "msg_flaky", retried: 0 });
    expect(first.status).toBe(500);
    expect(await first.json()).toEqual({ error: { code: "internal", message: "The job failed and will be retried" } });
    expect(await rawCollection("workflow_executions").findOne({ messageId: "msg_flaky" })).toMatchObject({ status: "retrying", attempts: 1, error: "database briefly unavailable" });
    const last = await deliver({ messageId: "msg_flaky", retried: 2 });
    expect(last.status).toBe(500);
    expect(await last.json()).toEqual({ error: { code: "internal", message: "The job failed and has no retries left" } });
    expect(await rawCollection("workflow_executions").findOne({ messageId: "msg_flaky" })).toMatchObject({ status: "dead", attempts: 3 });
  });

  it("answers 2xx on a permanent failure and records it", async () => {
    behaviour = "permanent";
    const res = await deliver({ messageId: "msg_permanent" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "failed", error: "the conversation no longer exists" });
    expect(await rawCollection("workflow_executions").findOne({ messageId: "msg_permanent" })).toMatchObject({ status: "failed", attempts: 1 });
  });

  it("does not run a redelivered message again once it completed", async () => {
    await deliver({ messageId: "msg_twice" });
    const again = await deliver({ messageId: "msg_twice", retried: 1 });
    expect(again.status).toBe(200);
    expect(runs).toHaveLength(1);
  });
});
