import { describe, expect, it } from "vitest";
import { authOptions, signInErrors } from "@/lib/auth/options";
import { ACCOUNT_FREE_FAILURES, IP_MAX_FAILURES, PAIR_MAX_FAILURES, refusal } from "@/lib/auth/throttle";
import { scoped } from "@/lib/db/scoped";
import { rawCollection } from "@/lib/db/collections";
import { updateUser } from "@/lib/team/users";
import { createOrg, TEST_PASSWORD } from "../support/factories";

type Authorize = (c: Record<string, string>, req: { headers: Record<string, string> }) => Promise<unknown>;
const provider = authOptions.providers[0] as unknown as { options: { authorize: Authorize } };
// The deployment's proxy (Vercel) sets x-real-ip; X-Forwarded-For is whatever the client wrote.
const authorize = (email: string, password: string, ip = "203.0.113.7", forwardedFor?: string) =>
  provider.options.authorize({ email, password }, { headers: { "x-real-ip": ip, ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}) } });

describe("credentials sign-in", () => {
  it("signs in with the right password and returns the session identity", async () => {
    const { orgId, users } = await createOrg();
    const user = await authorize(users.agent.email.toUpperCase(), TEST_PASSWORD);
    expect(user).toEqual({ id: users.agent._id.toHexString(), orgId: orgId.toHexString(), role: "agent", name: users.agent.name, email: users.agent.email, sv: 0 });
    const stored = await rawCollection("users").findOne({ _id: users.agent._id });
    expect(stored!.lastLoginAt).toBeInstanceOf(Date);
  });

  it("refuses a wrong password and an unknown email with the same message", async () => {
    const { users } = await createOrg();
    await expect(authorize(users.agent.email, "wrong")).rejects.toThrow(signInErrors.invalid);
    await expect(authorize("nobody@example.com", "wrong")).rejects.toThrow(signInErrors.invalid);
  });

  it("locks a device after 5 failures on an account, even with the right password, and tells the admins", async () => {
    const { orgId, users } = await createOrg();
    const attacker = "198.51.100.66";
    for (let i = 0; i < PAIR_MAX_FAILURES - 1; i++) await expect(authorize(users.agent.email, "wrong", attacker)).rejects.toThrow(signInErrors.invalid);
    await expect(authorize(users.agent.email, "wrong", attacker)).rejects.toThrow(/from this device. Try again in 15 minutes./);
    await expect(authorize(users.agent.email, TEST_PASSWORD, attacker)).rejects.toThrow(/Too many failed sign-in attempts from this device/);
    const lock = await rawCollection("login_throttles").findOne({ key: `pair:${users.agent.email}|${attacker}` });
    expect(lock!.lockedUntil!.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect(await scoped(orgId)("activity_logs").findOne({ action: "user.sign_in_locked", entityId: users.agent._id })).toMatchObject({
      actorName: "Sign-in throttle",
      after: { email: users.agent.email, address: attacker, locked: "pair" },
    });
  });

  it("does not let someone who knows an email lock its owner out", async () => {
    const { users } = await createOrg();
    for (let i = 0; i < PAIR_MAX_FAILURES + 3; i++) await authorize(users.agent.email, "wrong", "198.51.100.77").catch(() => {});
    // The owner, from their own address, signs in at once.
    await expect(authorize(users.agent.email, TEST_PASSWORD, "203.0.113.50")).resolves.toMatchObject({ id: users.agent._id.toHexString() });
  });

  it("slows a guesser spread over many addresses with a growing delay for the account, which the owner outwaits", async () => {
    const { users } = await createOrg();
    for (let i = 0; i < ACCOUNT_FREE_FAILURES; i++) await expect(authorize(users.agent.email, "wrong", `198.51.100.${i}`)).rejects.toThrow();
    // Past the free failures every attempt, from any address, waits; the password is not even checked.
    await expect(authorize(users.agent.email, TEST_PASSWORD, "203.0.113.51")).rejects.toThrow(/for this account. Wait [12] seconds/);
    const r = await refusal({ email: users.agent.email, ip: "203.0.113.52" });
    expect(r).toMatchObject({ kind: "slow_down" });
    expect(r!.until.getTime() - Date.now()).toBeLessThanOrEqual(2000);
    // Once the delay has passed (moved into the past here instead of waiting), the owner gets in.
    await rawCollection("login_throttles").updateOne({ key: `account:${users.agent.email}` }, { $set: { updatedAt: new Date(Date.now() - 5000) } });
    await expect(authorize(users.agent.email, TEST_PASSWORD, "203.0.113.51")).resolves.toBeTruthy();
    expect(await rawCollection("login_throttles").findOne({ key: `account:${users.agent.email}` })).toBeNull();
  });

  it("throttles an address that tries many accounts, whatever X-Forwarded-For says", async () => {
    const { users } = await createOrg();
    const ip = "192.0.2.55";
    for (let i = 0; i < IP_MAX_FAILURES; i++) await authorize(`guess${i}@example.com`, "wrong", ip, `10.0.0.${i}`).catch(() => {});
    expect(await refusal({ email: "someone@example.com", ip })).toMatchObject({ kind: "locked" });
    // A forged X-Forwarded-For does not move the attacker to a fresh address.
    await expect(authorize(users.admin.email, TEST_PASSWORD, ip, "203.0.113.99")).rejects.toThrow(/from this device/);
  });

  it("refuses a deactivated user", async () => {
    const { orgId, users } = await createOrg();
    await updateUser(orgId, users.agent._id, { active: false });
    await expect(authorize(users.agent.email, TEST_PASSWORD)).rejects.toThrow(signInErrors.deactivated);
  });
});
