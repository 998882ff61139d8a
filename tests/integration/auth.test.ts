import { describe, expect, it } from "vitest";
import { authOptions, signInErrors } from "@/lib/auth/options";
import { ACCOUNT_MAX_FAILURES, IP_MAX_FAILURES, lockedUntil } from "@/lib/auth/throttle";
import { rawCollection } from "@/lib/db/collections";
import { updateUser } from "@/lib/team/users";
import { createOrg, TEST_PASSWORD } from "../support/factories";

type Authorize = (c: Record<string, string>, req: { headers: Record<string, string> }) => Promise<unknown>;
const provider = authOptions.providers[0] as unknown as { options: { authorize: Authorize } };
const authorize = (email: string, password: string, ip = "203.0.113.7") =>
  provider.options.authorize({ email, password }, { headers: { "x-forwarded-for": ip } });

describe("credentials sign-in", () => {
  it("signs in with the right password and returns the session identity", async () => {
    const { orgId, users } = await createOrg();
    const user = await authorize(users.agent.email.toUpperCase(), TEST_PASSWORD);
    expect(user).toEqual({ id: users.agent._id.toHexString(), orgId: orgId.toHexString(), role: "agent", name: users.agent.name, email: users.agent.email });
    const stored = await rawCollection("users").findOne({ _id: users.agent._id });
    expect(stored!.lastLoginAt).toBeInstanceOf(Date);
  });

  it("refuses a wrong password and an unknown email with the same message", async () => {
    const { users } = await createOrg();
    await expect(authorize(users.agent.email, "wrong")).rejects.toThrow(signInErrors.invalid);
    await expect(authorize("nobody@example.com", "wrong")).rejects.toThrow(signInErrors.invalid);
  });

  it("locks the account after 5 failures, even with the right password, and the lock is in the database", async () => {
    const { users } = await createOrg();
    for (let i = 0; i < ACCOUNT_MAX_FAILURES - 1; i++) await expect(authorize(users.agent.email, "wrong", `198.51.100.${i}`)).rejects.toThrow(signInErrors.invalid);
    await expect(authorize(users.agent.email, "wrong", "198.51.100.99")).rejects.toThrow(/Too many failed sign-in attempts. Try again in 15 minutes./);
    await expect(authorize(users.agent.email, TEST_PASSWORD)).rejects.toThrow(/Too many failed sign-in attempts/);
    const lock = await rawCollection("login_throttles").findOne({ key: `account:${users.agent.email}` });
    expect(lock!.lockedUntil!.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    // Another account is unaffected.
    await expect(authorize(users.admin.email, TEST_PASSWORD, "198.51.100.200")).resolves.toBeTruthy();
  });

  it("throttles an IP that tries many accounts", async () => {
    await createOrg();
    const ip = "192.0.2.55";
    for (let i = 0; i < IP_MAX_FAILURES; i++) await authorize(`guess${i}@example.com`, "wrong", ip).catch(() => {});
    expect(await lockedUntil({ email: "someone@example.com", ip })).toBeInstanceOf(Date);
  });

  it("refuses a deactivated user", async () => {
    const { orgId, users } = await createOrg();
    await updateUser(orgId, users.agent._id, { active: false });
    await expect(authorize(users.agent.email, TEST_PASSWORD)).rejects.toThrow(signInErrors.deactivated);
  });
});
