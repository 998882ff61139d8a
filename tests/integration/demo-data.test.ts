import { describe, expect, it } from "vitest";
import { GET as listCanned } from "@/app/api/canned-responses/route";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { journeyBoard } from "@/lib/journey/board";
import { demoCannedResponses } from "@/scripts/seed/demo-canned-responses";
import { hashPassword } from "@/lib/auth/password";
import { demoSignIn, markDemoData } from "@/lib/setup/demo-sign-in";
import { DEMO_PASSWORD, seedDemoData } from "@/scripts/seed/demo-data";
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

    // The journey board has customers in every stage, with time in stage and conversion to show.
    const board = await journeyBoard(orgId, null);
    expect(board.columns.map((c) => c.count)).toEqual([6, 6, 4, 2, 2]);
    expect(board.columns.every((c) => c.medianDaysInStage! >= 1)).toBe(true);
    expect(board.columns[0]).toMatchObject({ reachedCount: 20, conversionToNext: 0.7 });
    // Every customer is scored from the start, each with its explanation.
    expect(await db("contacts").countDocuments({ leadScore: { $gte: 0 } })).toBe(30);
    expect(await db("lead_scores").countDocuments({ explanation: { $regex: "^\\d+ = engagement" } })).toBe(30);
  });
});

describe("the demo sign-in on the sign-in page", () => {
  it("is offered while the demo admin still has the published password, and not once it was changed", async () => {
    // The first test of this file seeded the demo data (the mark is written by the seed itself).
    expect(await demoSignIn()).toEqual({ email: "admin@example.com", password: DEMO_PASSWORD });

    const users = rawCollection("users");
    const admin = (await users.findOne({ email: "admin@example.com" }))!;
    await users.updateOne({ _id: admin._id }, { $set: { passwordHash: await hashPassword("a real secret 42") } });
    try {
      expect(await demoSignIn()).toBeNull();
    } finally {
      await users.updateOne({ _id: admin._id }, { $set: { passwordHash: admin.passwordHash } });
    }

    // Without the demo seed's mark (a production install set up through /setup) nothing is shown.
    await rawCollection("platform_state").deleteOne({ _id: "demo_data" });
    try {
      expect(await demoSignIn()).toBeNull();
    } finally {
      await markDemoData(admin.orgId, { email: "admin@example.com", password: DEMO_PASSWORD });
    }
  });
});
