import { describe, expect, it } from "vitest";
import { GET as listCanned } from "@/app/api/canned-responses/route";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { demoCannedResponses } from "@/scripts/seed/demo-canned-responses";
import { seedDemoData } from "@/scripts/seed/demo-data";
import { request, routeParams } from "../support/factories";

// This file's database starts empty, as `npm run dev` finds it on the first run.
describe("demo data a newcomer sees", () => {
  it("has saved replies for the composer's '/', and no made-up job failures", async () => {
    const { orgId, cannedResponses } = await seedDemoData();
    expect(cannedResponses).toBeGreaterThanOrEqual(3);

    const agent = (await rawCollection("users").findOne({ orgId, role: "agent" }))!;
    const res = await listCanned(await request(agent, "/api/canned-responses"), routeParams({}));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { cannedResponses: { shortcut: string; title: string; body: string }[] };
    expect(body.cannedResponses.map((c) => c.shortcut).sort()).toEqual(demoCannedResponses.map((c) => c.shortcut).sort());
    expect(body.cannedResponses.every((c) => c.title && c.body)).toBe(true);

    const db = scoped(orgId);
    expect(await db("workflow_executions").countDocuments({ status: { $in: ["failed", "dead"] } })).toBe(0);
    // Seeding is not a person's change: the audit log starts with what people do.
    expect(await db("activity_logs").countDocuments({ action: "canned_response.created" })).toBe(0);
  });
});
