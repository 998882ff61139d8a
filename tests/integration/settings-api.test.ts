import { describe, expect, it } from "vitest";
import { GET, PUT } from "@/app/api/settings/route";
import { scoped } from "@/lib/db/scoped";
import { autoAssign } from "@/lib/inbox/auto-assign";
import { defaultSettings } from "@/lib/schemas/settings";
import { createOrg, request, routeParams } from "../support/factories";
import { seedConversation } from "../support/inbox-fixtures";
import { deliver, envelope, orgWithAccount, textMessage } from "../support/whatsapp-webhook";

type Users = Awaited<ReturnType<typeof createOrg>>["users"];

async function put(users: Users, body: unknown, as: keyof Users = "admin") {
  return PUT(await request(users[as], "/api/settings", { method: "PUT", body }), routeParams({}));
}

/** The stored document without the fields every write touches. */
async function storedValues(orgId: Awaited<ReturnType<typeof createOrg>>["orgId"]) {
  const doc = await scoped(orgId)("settings").findOne({});
  const { _id, orgId: _org, updatedAt, updatedBy, ...values } = doc!;
  return { _id, updatedAt, updatedBy, values };
}

const week = (over: Partial<Record<string, { enabled: boolean; start: string; end: string }>> = {}) => ({
  ...defaultSettings.businessHours.days,
  ...over,
});

describe("settings API", () => {
  it("gives an admin the settings without internal fields", async () => {
    const { users } = await createOrg();
    const res = await GET(await request(users.admin, "/api/settings"), routeParams({}));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({ settings: { ...defaultSettings, updatedAt: expect.any(String) } });
  });

  it("updates a subset, normalises keywords and time zone, and audits only the changed fields with before/after", async () => {
    const { orgId, users } = await createOrg();
    const res = await put(users, {
      maxConversationsPerAgent: 25,
      aiEnabled: true, // unchanged: not written to the audit entry
      optOutKeywords: [" Parar ", "STOP", "stop!", "parar"],
      businessHours: { timezone: "europe/madrid", days: week({ monday: { enabled: true, start: "08:30", end: "17:00" } }) },
    });
    expect(res.status).toBe(200);
    const { settings } = await res.json();
    expect(settings).toMatchObject({
      maxConversationsPerAgent: 25,
      optOutKeywords: ["Parar", "STOP"],
      businessHours: { timezone: "Europe/Madrid", days: { monday: { enabled: true, start: "08:30", end: "17:00" }, tuesday: defaultSettings.businessHours.days.tuesday } },
      autoAssignment: true,
    });
    expect(Object.keys(settings).sort()).toEqual([...Object.keys(defaultSettings), "updatedAt"].sort());

    const stored = await storedValues(orgId);
    expect(stored.values).toEqual({ ...defaultSettings, maxConversationsPerAgent: 25, optOutKeywords: ["Parar", "STOP"], businessHours: settings.businessHours });
    expect(stored.updatedBy).toEqual(users.admin._id);

    const log = await scoped(orgId)("activity_logs").find({ action: "settings.updated" }).toArray();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      actorId: users.admin._id,
      entityType: "settings",
      entityId: stored._id,
      before: { maxConversationsPerAgent: 10, optOutKeywords: defaultSettings.optOutKeywords, businessHours: defaultSettings.businessHours },
      after: { maxConversationsPerAgent: 25, optOutKeywords: ["Parar", "STOP"], businessHours: settings.businessHours },
    });
    expect(Object.keys(log[0]!.after!).sort()).toEqual(["businessHours", "maxConversationsPerAgent", "optOutKeywords"]);

    // Re-sending the same values changes nothing and writes no audit entry.
    const again = await put(users, { maxConversationsPerAgent: 25, optOutKeywords: ["Parar", "STOP"] });
    expect(again.status).toBe(200);
    expect(await scoped(orgId)("activity_logs").countDocuments({ action: "settings.updated" })).toBe(1);
    expect((await storedValues(orgId)).updatedAt).toEqual(stored.updatedAt);
  });

  for (const role of ["supervisor", "agent", "viewer"] as const) {
    it(`refuses a ${role}: 403 for reading and changing`, async () => {
      const { orgId, users } = await createOrg();
      const before = await storedValues(orgId);
      const forbidden = { error: { code: "forbidden", message: "Your role does not allow this action" } };
      const read = await GET(await request(users[role], "/api/settings"), routeParams({}));
      expect(read.status).toBe(403);
      expect(await read.json()).toEqual(forbidden);
      const write = await put(users, { aiEnabled: false }, role);
      expect(write.status).toBe(403);
      expect(await write.json()).toEqual(forbidden);
      expect(await storedValues(orgId)).toEqual(before);
    });
  }

  it("refuses a signed-out request with 401", async () => {
    const res = await GET(await request(null, "/api/settings"), routeParams({}));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: "unauthorized", message: "Sign in to continue" } });
  });

  describe("bad input gets a clear error and changes nothing", () => {
    const cases: { name: string; body?: unknown; rawBody?: string; status: number; error: { code: string; message: string } }[] = [
      { name: "a time that is not HH:MM", body: { businessHours: { timezone: "UTC", days: week({ monday: { enabled: true, start: "9:00", end: "18:00" } }) } }, status: 422, error: { code: "unprocessable_entity", message: "businessHours.days.monday.start: must be a time as HH:MM (00:00 to 23:59)" } },
      { name: "an hour past 23", body: { businessHours: { timezone: "UTC", days: week({ friday: { enabled: true, start: "09:00", end: "24:00" } }) } }, status: 422, error: { code: "unprocessable_entity", message: "businessHours.days.friday.end: must be a time as HH:MM (00:00 to 23:59)" } },
      { name: "start after end", body: { businessHours: { timezone: "UTC", days: week({ tuesday: { enabled: true, start: "18:00", end: "09:00" } }) } }, status: 422, error: { code: "unprocessable_entity", message: "businessHours.days.tuesday.end: the start must be before the end" } },
      { name: "start equal to end", body: { businessHours: { timezone: "UTC", days: week({ tuesday: { enabled: true, start: "09:00", end: "09:00" } }) } }, status: 422, error: { code: "unprocessable_entity", message: "businessHours.days.tuesday.end: the start must be before the end" } },
      { name: "an unknown time zone", body: { businessHours: { timezone: "Mars/Olympus_Mons", days: week() } }, status: 422, error: { code: "unprocessable_entity", message: "businessHours.timezone: must be a time zone such as Europe/Madrid or UTC" } },
      { name: "a missing weekday", body: { businessHours: { timezone: "UTC", days: { monday: defaultSettings.businessHours.days.monday } } }, status: 422, error: { code: "unprocessable_entity", message: "businessHours.days.tuesday: Invalid input: expected object, received undefined" } },
      { name: "a keyword in both lists", body: { optOutKeywords: ["STOP", "PAUSA"], optInKeywords: ["START", "pausa"] }, status: 422, error: { code: "unprocessable_entity", message: '"PAUSA" cannot be both an opt-out and an opt-in keyword' } },
      { name: "an opt-in keyword already an opt-out keyword", body: { optInKeywords: ["START", "stop"] }, status: 422, error: { code: "unprocessable_entity", message: '"STOP" cannot be both an opt-out and an opt-in keyword' } },
      { name: "an empty keyword", body: { optOutKeywords: ["STOP", "   "] }, status: 422, error: { code: "unprocessable_entity", message: "optOutKeywords.1: a keyword cannot be empty" } },
      { name: "a keyword of punctuation only", body: { optInKeywords: ["!!"] }, status: 422, error: { code: "unprocessable_entity", message: "optInKeywords.0: a keyword needs a letter or digit" } },
      { name: "a confirmation over 1024 characters", body: { optOutConfirmation: "x".repeat(1025) }, status: 422, error: { code: "unprocessable_entity", message: "optOutConfirmation: has at most 1024 characters" } },
      { name: "a handover message over 1024 characters", body: { handoverMessage: "x".repeat(1025) }, status: 422, error: { code: "unprocessable_entity", message: "handoverMessage: has at most 1024 characters" } },
      { name: "an empty confirmation", body: { optInConfirmation: "  " }, status: 422, error: { code: "unprocessable_entity", message: "optInConfirmation: is required" } },
      { name: "retention of 0 days", body: { webhookLogRetentionDays: 0 }, status: 422, error: { code: "unprocessable_entity", message: "webhookLogRetentionDays: must be a whole number from 1 to 3650" } },
      { name: "retention over ten years", body: { aiRunRetentionDays: 3651 }, status: 422, error: { code: "unprocessable_entity", message: "aiRunRetentionDays: must be a whole number from 1 to 3650" } },
      { name: "501 conversations per agent", body: { maxConversationsPerAgent: 501 }, status: 422, error: { code: "unprocessable_entity", message: "maxConversationsPerAgent: must be a whole number from 1 to 500" } },
      { name: "a fractional limit", body: { maxConversationsPerAgent: 2.5 }, status: 422, error: { code: "unprocessable_entity", message: "maxConversationsPerAgent: must be a whole number from 1 to 500" } },
      { name: "a string for a number", body: { jobLogRetentionDays: "30" }, status: 422, error: { code: "unprocessable_entity", message: "jobLogRetentionDays: must be a whole number from 1 to 3650" } },
      { name: "a string for a boolean", body: { aiEnabled: "false" }, status: 422, error: { code: "unprocessable_entity", message: "aiEnabled: Invalid input: expected boolean, received string" } },
      { name: "a string for a keyword list", body: { optOutKeywords: "STOP, PARAR" }, status: 422, error: { code: "unprocessable_entity", message: "optOutKeywords: Invalid input: expected array, received string" } },
      { name: "an unknown field", body: { aiEnabled: false, orgId: "0123456789abcdef01234567" }, status: 422, error: { code: "unprocessable_entity", message: 'Unrecognized key: "orgId"' } },
      { name: "an unknown field inside a day", body: { businessHours: { timezone: "UTC", days: week({ monday: { enabled: true, start: "09:00", end: "18:00", lunch: true } as never }) } }, status: 422, error: { code: "unprocessable_entity", message: 'businessHours.days.monday: Unrecognized key: "lunch"' } },
      { name: "an operator key", body: { $set: { aiEnabled: false } }, status: 400, error: { code: "bad_request", message: 'body: field names may not start with "$" or contain "." (got "$set")' } },
      { name: "a nested operator key", body: { jobLogRetentionDays: { $gt: 0 } }, status: 400, error: { code: "bad_request", message: 'body.jobLogRetentionDays: field names may not start with "$" or contain "." (got "$gt")' } },
      { name: "nothing to update", body: {}, status: 422, error: { code: "unprocessable_entity", message: "Nothing to update" } },
      { name: "an array body", body: [], status: 422, error: { code: "unprocessable_entity", message: "Invalid input: expected object, received array" } },
      { name: "malformed JSON", rawBody: '{"aiEnabled": ', status: 400, error: { code: "bad_request", message: "The request body is not valid JSON" } },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.status}`, async () => {
        const { orgId, users } = await createOrg();
        const before = await storedValues(orgId);
        const res = await PUT(
          await request(users.admin, "/api/settings", { method: "PUT", body: c.body, rawBody: c.rawBody, headers: c.rawBody !== undefined ? { "content-type": "application/json" } : undefined }),
          routeParams({}),
        );
        expect(res.status).toBe(c.status);
        expect(await res.json()).toEqual({ error: c.error });
        expect(await storedValues(orgId)).toEqual(before);
        expect(await scoped(orgId)("activity_logs").countDocuments({})).toBe(0);
      });
    }
  });

  it("keeps each organization's settings to itself", async () => {
    const a = await createOrg("A");
    const b = await createOrg("B");
    expect((await put(a.users, { jobLogRetentionDays: 7 })).status).toBe(200);
    expect((await storedValues(b.orgId)).values.jobLogRetentionDays).toBe(defaultSettings.jobLogRetentionDays);
  });
});

describe("consumers see a change at once", () => {
  it("the webhook opts a contact out on a keyword the admin just added (even after it cached the old list)", async () => {
    const { account, orgId, users } = await orgWithAccount();
    const db = scoped(orgId);
    await deliver(envelope(account, textMessage("16505550031", "wamid.SET1", "PARAR")), account);
    expect((await db("contacts").findOne({ identityKey: "+16505550031" }))?.consent.state).toBe("unknown");

    expect((await put(users, { optOutKeywords: [...defaultSettings.optOutKeywords, "Parar"] })).status).toBe(200);
    await deliver(envelope(account, textMessage("16505550031", "wamid.SET2", "parar.")), account);
    expect((await db("contacts").findOne({ identityKey: "+16505550031" }))?.consent).toMatchObject({ state: "opted_out", source: "keyword" });
  });

  it("auto-assignment switched off leaves a new conversation unassigned", async () => {
    const { orgId, users } = await createOrg();
    const db = scoped(orgId);
    await db("users").updateMany({ role: "agent" }, { $set: { availability: "online" } });
    expect((await put(users, { autoAssignment: false })).status).toBe(200);
    const c = await seedConversation(orgId);
    expect(await autoAssign(orgId, c._id)).toEqual({ assigned: false, reason: "disabled" });
    expect(await db("conversations").findOne({ _id: c._id })).toMatchObject({ assigneeId: null });
  });
});
