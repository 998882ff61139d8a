import { describe, expect, it } from "vitest";
import { POST as setup } from "@/app/api/setup/route";
import { verifyPassword } from "@/lib/auth/password";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { needsFirstRunSetup, setupToken } from "@/lib/setup/first-run";
import { request, routeParams } from "../support/factories";

// This file's database starts with no user at all: a production install before its first admin.
const form = (over: Record<string, unknown> = {}) => ({
  token: setupToken(),
  organization: { name: "Acme Homes", timezone: "europe/madrid" },
  admin: { name: "Ana Admin", email: "Ana@Acme.example", password: "a long enough password" },
  whatsapp: { phoneNumberId: "10987654321", wabaId: "20987654321", displayPhoneNumber: "+34 600 000 000" },
  ...over,
});
const post = async (body: unknown) => setup(await request(null, "/api/setup", { method: "POST", body }), routeParams({}));

describe("first-run setup (POST /api/setup)", () => {
  it("refuses a wrong token and a bad form with the field named, and writes nothing", async () => {
    expect(await needsFirstRunSetup()).toBe(true);
    const wrong = await post(form({ token: "not-the-token" }));
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toEqual({ error: { code: "forbidden", message: expect.stringContaining("setup token is not right") } });

    const bad = await post(form({ admin: { name: "Ana", email: "ana@acme.example", password: "short" } }));
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.message).toMatch(/^admin\.password: .*12 characters/);

    const zone = await post(form({ organization: { name: "Acme", timezone: "Mars/Olympus" } }));
    expect((await zone.json()).error.message).toMatch(/^organization\.timezone/);

    expect(await rawCollection("organizations").countDocuments({})).toBe(0);
    expect(await rawCollection("platform_state").countDocuments({})).toBe(0);
  });

  it("creates the organization, its admin and its WhatsApp number once, then is gone", async () => {
    // Two submissions at the same moment (a double click, two tabs): exactly one sets the install up.
    const [a, b] = await Promise.all([post(form()), post(form({ organization: { name: "Other Co", timezone: "UTC" } }))]);
    const statuses = [a.status, b.status].sort();
    expect(statuses[0]).toBe(201);
    expect([404, 409]).toContain(statuses[1]);
    const created = await (a.status === 201 ? a : b).json();

    const orgs = await rawCollection("organizations").find({}).toArray();
    expect(orgs).toHaveLength(1);
    const org = orgs[0]!;
    expect(created.orgId).toBe(org._id.toHexString());
    const db = scoped(org._id);
    const admin = await db("users").findOne({ email: "ana@acme.example" });
    expect(admin).toMatchObject({ role: "admin", active: true, name: "Ana Admin" });
    expect(await verifyPassword("a long enough password", admin!.passwordHash)).toBe(true);
    // The winner's own time zone: either submission may be the one that got there first.
    expect((await db("settings").findOne({}))!.businessHours.timezone).toBe(a.status === 201 ? "Europe/Madrid" : "UTC");
    expect(org.name).toBe(a.status === 201 ? "Acme Homes" : "Other Co");
    expect(await db("ai_agents").countDocuments({})).toBeGreaterThan(0);
    expect(await db("whatsapp_accounts").findOne({ phoneNumberId: "10987654321" })).toMatchObject({ wabaId: "20987654321", displayPhoneNumber: "+34 600 000 000" });
    expect(await db("activity_logs").findOne({ action: "organization.setup_completed" })).toMatchObject({ actorId: admin!._id, entityId: org._id });

    // Nothing demo-like was written.
    expect(await rawCollection("contacts").countDocuments({})).toBe(0);
    expect(await rawCollection("conversations").countDocuments({})).toBe(0);

    expect(await needsFirstRunSetup()).toBe(false);
    const again = await post(form());
    expect(again.status).toBe(404);
    expect(await rawCollection("users").countDocuments({})).toBe(1);
  });
});
