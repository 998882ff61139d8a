import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { GET as cronGet, POST as cronPost } from "@/app/api/cron/[name]/route";
import { rawCollection } from "@/lib/db/collections";
import { resetEnvCache } from "@/lib/env";
import { defineJob } from "@/lib/jobs";
import { schedules } from "@/lib/jobs/schedules";
import { signQstashJwt } from "../fakes/qstash-server";
import { request, routeParams } from "../support/factories";
import type { JobName } from "@/lib/jobs/registry";
import { QSTASH_KEYS, registerTestJob, useQstashEnv } from "../support/jobs";

const APP = "http://127.0.0.1:3999";
const SECRET = "cron-secret-0123456789";

beforeAll(() => useQstashEnv({ appUrl: APP }));
afterEach(() => {
  process.env.CRON_SECRET = SECRET;
  resetEnvCache();
});
process.env.CRON_SECRET = SECRET;

// A schedule only the unauthorized cases call: any run of it would show up here.
let probeRuns = 0;
const probe = registerTestJob(
  defineJob({
    name: "test-cron-probe",
    schema: z.object({}),
    async handle() {
      probeRuns++;
    },
  }),
);
// A test job is not a product JobName; the cron route looks jobs up by name at run time.
schedules.push({ name: "test-cron", job: probe as JobName, cron: "* * * * *", payload: {} });
const probeRecords = async () => rawCollection("workflow_executions").countDocuments({ job: "test-cron-probe" });

describe("GET|POST /api/cron/[name]", () => {
  it("runs the scheduled job for Vercel cron's bearer secret, once per schedule and minute", async () => {
    const res = await cronGet(await request(null, "/api/cron/retention", { headers: { authorization: `Bearer ${SECRET}` } }), routeParams({ name: "retention" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "completed" });
    const record = await rawCollection("workflow_executions").findOne({ job: "retention", messageId: /^cron:retention:/ });
    expect(record).toMatchObject({ status: "completed", attempts: 1, payload: {} });
  });

  it("runs the scheduled job for a QStash schedule's signed delivery", async () => {
    const signature = signQstashJwt({ key: QSTASH_KEYS.currentSigningKey, url: `${APP}/api/cron/retention`, body: "" });
    const res = await cronPost(
      await request(null, "/api/cron/retention", { method: "POST", headers: { "upstash-signature": signature, "upstash-message-id": "msg_cron_signed", "upstash-retried": "0" } }),
      routeParams({ name: "retention" }),
    );
    expect(res.status).toBe(200);
    expect(await rawCollection("workflow_executions").findOne({ messageId: "msg_cron_signed" })).toMatchObject({ job: "retention", status: "completed" });
  });

  const unauthorized = { error: { code: "unauthorized", message: "Invalid or missing cron secret" } };
  const cases: { name: string; headers: () => Record<string, string>; secret?: string | null }[] = [
    { name: "no credentials", headers: () => ({}) },
    { name: "a wrong secret", headers: () => ({ authorization: "Bearer not-the-secret" }) },
    { name: "the secret without the Bearer scheme", headers: () => ({ authorization: SECRET }) },
    { name: "a QStash signature for another URL", headers: () => ({ "upstash-signature": signQstashJwt({ key: QSTASH_KEYS.currentSigningKey, url: `${APP}/api/jobs/retention`, body: "" }) }) },
    { name: "a QStash signature with a wrong key", headers: () => ({ "upstash-signature": signQstashJwt({ key: "sig_wrong", url: `${APP}/api/cron/test-cron`, body: "" }) }) },
    { name: "an unset CRON_SECRET (fails closed)", headers: () => ({ authorization: "Bearer " }), secret: null },
    { name: "an unset CRON_SECRET with 'Bearer undefined'", headers: () => ({ authorization: "Bearer undefined" }), secret: null },
  ];
  it.each(cases)("answers 401 and runs nothing for $name", async (c) => {
    if (c.secret === null) {
      delete process.env.CRON_SECRET;
      resetEnvCache();
    }
    const res = await cronGet(await request(null, "/api/cron/test-cron", { headers: c.headers() }), routeParams({ name: "test-cron" }));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(unauthorized);
    expect(probeRuns).toBe(0);
    expect(await probeRecords()).toBe(0);
  });

  it("runs the probe schedule once authorized (the check above can see a run)", async () => {
    const res = await cronGet(await request(null, "/api/cron/test-cron", { headers: { authorization: `Bearer ${SECRET}` } }), routeParams({ name: "test-cron" }));
    expect(res.status).toBe(200);
    expect(probeRuns).toBe(1);
    expect(await probeRecords()).toBe(1);
  });

  it("answers 404 for a schedule that is not declared", async () => {
    const res = await cronGet(await request(null, "/api/cron/nope", { headers: { authorization: `Bearer ${SECRET}` } }), routeParams({ name: "nope" }));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: 'No schedule named "nope"' } });
  });
});
