import { describe, expect, it } from "vitest";
import { GET as listUsers, POST as createUser } from "@/app/api/users/route";
import { PATCH as patchUser } from "@/app/api/users/[id]/route";
import { PUT as putAvailability } from "@/app/api/me/availability/route";
import { scoped } from "@/lib/db/scoped";
import { verifyPassword } from "@/lib/auth/password";
import { createOrg, request, routeParams } from "../support/factories";

describe("team management API", () => {
  it("lets an admin create a user with a one-time password that is stored only as a hash", async () => {
    const { orgId, users } = await createOrg();
    const res = await createUser(await request(users.admin, "/api/users", { method: "POST", body: { name: "New Agent", email: "New.Agent@Example.com", role: "agent" } }), routeParams({}));
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.user).toMatchObject({ email: "new.agent@example.com", name: "New Agent", role: "agent", active: true });
    expect(body.user).not.toHaveProperty("passwordHash");
    const stored = await scoped(orgId)("users").findOne({ email: "new.agent@example.com" });
    expect(stored!.passwordHash).not.toContain(body.oneTimePassword);
    expect(await verifyPassword(body.oneTimePassword, stored!.passwordHash)).toBe(true);

    const audit = await scoped(orgId)("activity_logs").findOne({ action: "user.created" });
    expect(audit).toMatchObject({ actorId: users.admin._id, entityType: "user", after: { email: "new.agent@example.com", role: "agent" } });
  });

  it("records role changes and deactivation with before/after in the audit log", async () => {
    const { orgId, users } = await createOrg();
    const id = users.agent._id.toHexString();
    const r1 = await patchUser(await request(users.admin, `/api/users/${id}`, { method: "PATCH", body: { role: "supervisor" } }), routeParams({ id }));
    expect(r1.status).toBe(200);
    expect((await r1.json()).user.role).toBe("supervisor");
    const r2 = await patchUser(await request(users.admin, `/api/users/${id}`, { method: "PATCH", body: { active: false } }), routeParams({ id }));
    expect((await r2.json()).user).toMatchObject({ active: false, availability: "offline" });
    const log = await scoped(orgId)("activity_logs").find({ entityId: users.agent._id }, { sort: { at: 1 } }).toArray();
    expect(log.map((l) => [l.action, l.before, l.after])).toEqual([
      ["user.role_changed", { role: "agent" }, { role: "supervisor" }],
      ["user.deactivated", { active: true }, { active: false }],
    ]);
  });

  it("stops a deactivated user's session at once", async () => {
    const { users } = await createOrg();
    const id = users.agent._id.toHexString();
    await patchUser(await request(users.admin, `/api/users/${id}`, { method: "PATCH", body: { active: false } }), routeParams({ id }));
    const res = await putAvailability(await request(users.agent, "/api/me/availability", { method: "PUT", body: { availability: "online" } }), routeParams({}));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: "unauthorized", message: "Sign in to continue" } });
  });

  it("keeps at least one active admin", async () => {
    const { users } = await createOrg();
    const id = users.admin._id.toHexString();
    const res = await patchUser(await request(users.admin, `/api/users/${id}`, { method: "PATCH", body: { role: "agent" } }), routeParams({ id }));
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: { code: "conflict", message: "The organization needs at least one active admin" } });
  });

  it("lets anyone signed in set their own availability", async () => {
    const { users } = await createOrg();
    const res = await putAvailability(await request(users.agent, "/api/me/availability", { method: "PUT", body: { availability: "busy" } }), routeParams({}));
    expect(res.status).toBe(200);
    expect((await res.json()).user.availability).toBe("busy");
  });

  it("never shows one organization's users to another", async () => {
    const a = await createOrg("A");
    const b = await createOrg("B");
    const res = await listUsers(await request(a.users.admin, "/api/users"), routeParams({}));
    const emails = (await res.json()).users.map((u: { email: string }) => u.email);
    expect(emails).toHaveLength(6);
    expect(emails.some((e: string) => e.includes(b.orgId.toHexString()))).toBe(false);
    const id = b.users.agent._id.toHexString();
    const cross = await patchUser(await request(a.users.admin, `/api/users/${id}`, { method: "PATCH", body: { role: "admin" } }), routeParams({ id }));
    expect(cross.status).toBe(404);
  });

  describe("bad input gets a clear error and writes nothing", () => {
    const cases: { name: string; as: "admin" | "agent" | null; body?: unknown; rawBody?: string; headers?: Record<string, string>; status: number; error: { code: string; message: string | RegExp } }[] = [
      { name: "signed out", as: null, body: { name: "x", email: "x@example.com", role: "agent" }, status: 401, error: { code: "unauthorized", message: "Sign in to continue" } },
      { name: "an agent", as: "agent", body: { name: "x", email: "x@example.com", role: "agent" }, status: 403, error: { code: "forbidden", message: "Your role does not allow this action" } },
      { name: "malformed JSON", as: "admin", rawBody: '{"name": "x",', status: 400, error: { code: "bad_request", message: "The request body is not valid JSON" } },
      { name: "empty body", as: "admin", rawBody: "", status: 400, error: { code: "bad_request", message: "The request body is empty; send a JSON object" } },
      { name: "wrong type", as: "admin", body: { name: 42, email: "x@example.com", role: "agent" }, status: 422, error: { code: "unprocessable_entity", message: /^name: / } },
      { name: "unknown role", as: "admin", body: { name: "x", email: "x@example.com", role: "owner" }, status: 422, error: { code: "unprocessable_entity", message: /^role: / } },
      { name: "invalid email", as: "admin", body: { name: "x", email: "not-an-email", role: "agent" }, status: 422, error: { code: "unprocessable_entity", message: "email: must be a valid email address" } },
      { name: "operator injection", as: "admin", body: { name: "x", email: { $gt: "" }, role: "agent" }, status: 400, error: { code: "bad_request", message: 'body.email: field names may not start with "$" or contain "." (got "$gt")' } },
      { name: "dotted key", as: "admin", body: { name: "x", "email.x": "a", role: "agent" }, status: 400, error: { code: "bad_request", message: /contain "\."/ } },
      { name: "unknown field", as: "admin", body: { name: "x", email: "x@example.com", role: "agent", isAdmin: true }, status: 422, error: { code: "unprocessable_entity", message: /isAdmin/ } },
      { name: "oversized body", as: "admin", rawBody: JSON.stringify({ name: "x".repeat(300_000) }), status: 413, error: { code: "payload_too_large", message: "The request body is larger than 262144 bytes" } },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.status}`, async () => {
        const { orgId, users } = await createOrg();
        const user = c.as ? users[c.as] : null;
        const res = await createUser(
          await request(user, "/api/users", { method: "POST", body: c.body, rawBody: c.rawBody, headers: c.rawBody !== undefined ? { "content-type": "application/json" } : undefined }),
          routeParams({}),
        );
        expect(res.status).toBe(c.status);
        const body = await res.json();
        expect(Object.keys(body)).toEqual(["error"]);
        expect(body.error.code).toBe(c.error.code);
        if (typeof c.error.message === "string") expect(body.error.message).toBe(c.error.message);
        else expect(body.error.message).toMatch(c.error.message);
        expect(await scoped(orgId)("users").countDocuments({})).toBe(6);
      });
    }

    it("an id that does not exist: 404", async () => {
      const { users } = await createOrg();
      const id = "0123456789abcdef01234567";
      const res = await patchUser(await request(users.admin, `/api/users/${id}`, { method: "PATCH", body: { role: "agent" } }), routeParams({ id }));
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: "not_found", message: "User not found" } });
    });

    it("a malformed id: 422", async () => {
      const { users } = await createOrg();
      const res = await patchUser(await request(users.admin, "/api/users/nope", { method: "PATCH", body: { role: "agent" } }), routeParams({ id: "nope" }));
      expect(res.status).toBe(422);
      expect(await res.json()).toEqual({ error: { code: "unprocessable_entity", message: "id: must be a 24-character hex id" } });
    });

    it("a duplicate email: 409", async () => {
      const { users } = await createOrg();
      const res = await createUser(await request(users.admin, "/api/users", { method: "POST", body: { name: "Dup", email: users.agent.email, role: "agent" } }), routeParams({}));
      expect(res.status).toBe(409);
      expect(await res.json()).toEqual({ error: { code: "conflict", message: `A user with the email ${users.agent.email} already exists` } });
    });
  });
});
