import { encode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { GET as listConversations } from "@/app/api/conversations/route";
import { POST as changePasswordRoute } from "@/app/api/me/password/route";
import { PATCH as patchUser } from "@/app/api/users/[id]/route";
import { authOptions } from "@/lib/auth/options";
import { scoped } from "@/lib/db/scoped";
import { createOrg, request, routeParams, TEST_PASSWORD } from "../support/factories";

/**
 * A JWT session cannot be recalled, so a copied cookie used to work for its whole 12-hour life
 * after sign-out. Sessions now carry the user's session version, which sign-out, a password change
 * and deactivation move on; every request re-reads it with the user.
 */
type Authorize = (c: Record<string, string>, req: { headers: Record<string, string> }) => Promise<Record<string, unknown>>;
const provider = authOptions.providers[0] as unknown as { options: { authorize: Authorize } };
const callbacks = authOptions.callbacks as { jwt: (a: { token: Record<string, unknown>; user?: unknown }) => Promise<Record<string, unknown>> | Record<string, unknown> };
const events = authOptions.events as { signOut: (a: { token: Record<string, unknown>; session: unknown }) => Promise<void> };

/** Signs in as the sign-in page does (authorize, then the jwt callback) and returns the token and its cookie. */
async function signIn(email: string, password = TEST_PASSWORD) {
  const user = await provider.options.authorize({ email, password }, { headers: { "x-real-ip": "198.51.100.20" } });
  const token = await callbacks.jwt({ token: { name: user.name, email: user.email, sub: user.id }, user });
  const cookie = `next-auth.session-token=${await encode({ token, secret: process.env.NEXTAUTH_SECRET! })}`;
  return { token, cookie };
}

async function inboxStatus(cookie: string) {
  const req = new NextRequest(new URL("/api/conversations?view=all", "http://127.0.0.1:3999"), { headers: { cookie } });
  return (await listConversations(req, routeParams({}))).status;
}

describe("sessions end on the server", () => {
  it("sign-out ends the session: the same cookie, copied before, is refused afterwards", async () => {
    const { users } = await createOrg();
    const { token, cookie } = await signIn(users.agent.email);
    expect(await inboxStatus(cookie)).toBe(200);
    await events.signOut({ token, session: null });
    expect(await inboxStatus(cookie)).toBe(401);
    // Signing out again with the stale cookie moves nothing; a fresh sign-in works.
    await events.signOut({ token, session: null });
    const again = await signIn(users.agent.email);
    expect(await inboxStatus(again.cookie)).toBe(200);
  });

  it("a password change ends every session of the user, and only with the current password", async () => {
    const { orgId, users } = await createOrg();
    const laptop = await signIn(users.agent.email);
    const phone = await signIn(users.agent.email);
    const change = async (body: unknown) => {
      const req = await request(users.agent, "/api/me/password", { method: "POST", body });
      req.headers.set("cookie", laptop.cookie);
      return changePasswordRoute(req, routeParams({}));
    };
    const wrong = await change({ currentPassword: "not it", newPassword: "a much longer secret" });
    expect(wrong.status).toBe(422);
    expect((await wrong.json()).error.message).toMatch(/currentPassword/);
    const short = await change({ currentPassword: TEST_PASSWORD, newPassword: "short" });
    expect(short.status).toBe(422);
    expect(await inboxStatus(phone.cookie)).toBe(200);

    const ok = await change({ currentPassword: TEST_PASSWORD, newPassword: "a much longer secret" });
    expect(ok.status).toBe(200);
    expect(await inboxStatus(laptop.cookie)).toBe(401);
    expect(await inboxStatus(phone.cookie)).toBe(401);
    await expect(signIn(users.agent.email)).rejects.toThrow();
    expect(await inboxStatus((await signIn(users.agent.email, "a much longer secret")).cookie)).toBe(200);
    expect(await scoped(orgId)("activity_logs").countDocuments({ action: "user.password_changed", entityId: users.agent._id })).toBe(1);
  });

  it("deactivation ends the session, and reactivating the user does not revive the old cookie", async () => {
    const { users } = await createOrg();
    const { cookie } = await signIn(users.agent.email);
    const id = users.agent._id.toHexString();
    const setActive = async (active: boolean) =>
      (await patchUser(await request(users.admin, `/api/users/${id}`, { method: "PATCH", body: { active } }), routeParams({ id }))).status;
    expect(await setActive(false)).toBe(200);
    expect(await inboxStatus(cookie)).toBe(401);
    expect(await setActive(true)).toBe(200);
    expect(await inboxStatus(cookie)).toBe(401);
  });
});
