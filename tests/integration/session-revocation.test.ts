import NextAuth from "next-auth";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { GET as listConversations } from "@/app/api/conversations/route";
import { POST as changePasswordRoute } from "@/app/api/me/password/route";
import { PATCH as patchUser } from "@/app/api/users/[id]/route";
import { authOptions } from "@/lib/auth/options";
import { getRequestUser } from "@/lib/auth/session";
import { scoped } from "@/lib/db/scoped";
import { createOrg, request, routeParams, TEST_PASSWORD } from "../support/factories";

/**
 * A JWT session cannot be recalled, so a copied cookie used to work for its whole 12-hour life
 * after sign-out. Sessions now carry the user's session version, which sign-out, a password change
 * and deactivation move on; every request re-reads it with the user.
 */

const SESSION = "next-auth.session-token";
type Reply = { status: number; body: unknown; setCookies: string[] };

/**
 * One request to next-auth's handler, the same core and options as app/api/auth/[...nextauth]
 * (through its pages adapter: the app-router adapter reads cookies from Next's request scope,
 * which a test does not have).
 */
async function nextAuth(path: string[], method: "GET" | "POST", jar: Map<string, string>, body?: Record<string, string>): Promise<Reply> {
  const req = {
    method,
    query: { nextauth: path },
    body: body && { ...body, json: "true" },
    cookies: Object.fromEntries(jar),
    headers: { host: "127.0.0.1:3999", "content-type": "application/x-www-form-urlencoded" },
  };
  const headers = new Map<string, string[]>();
  const reply: Reply = { status: 200, body: undefined, setCookies: [] };
  const res = {
    status: (code: number) => ((reply.status = code), res),
    getHeader: (name: string) => headers.get(name.toLowerCase()),
    setHeader: (name: string, value: string[]) => (headers.set(name.toLowerCase(), value), res),
    json: (b: unknown) => void (reply.body = b),
    send: (b: unknown) => void (reply.body = b),
    end: () => undefined,
  };
  await NextAuth(req as never, res as never, authOptions);
  reply.setCookies = headers.get("set-cookie") ?? [];
  for (const c of reply.setCookies) {
    const [pair] = c.split(";");
    const [name, value] = [pair!.slice(0, pair!.indexOf("=")), decodeURIComponent(pair!.slice(pair!.indexOf("=") + 1))];
    if (value) jar.set(name, value);
    else jar.delete(name);
  }
  return reply;
}

/** A browser: its cookie jar, and the session cookie as a copy of it would be sent to the API. */
function browser() {
  const jar = new Map<string, string>();
  const csrf = async () => ((await nextAuth(["csrf"], "GET", jar)).body as { csrfToken: string }).csrfToken;
  return {
    jar,
    /** What the sign-in page does: next-auth's credentials callback with its CSRF token. */
    async signIn(email: string, password = TEST_PASSWORD) {
      await nextAuth(["callback", "credentials"], "POST", jar, { csrfToken: await csrf(), email, password });
      if (!jar.has(SESSION)) throw new Error(`sign-in as ${email} set no session cookie`);
      return `${SESSION}=${jar.get(SESSION)}`;
    },
    /** What the "Sign out" button does: next-auth/react's signOut() posts to /api/auth/signout. */
    async signOut() {
      return nextAuth(["signout"], "POST", jar, { csrfToken: await csrf(), callbackUrl: "/sign-in" });
    },
  };
}

function inboxRequest(cookie: string) {
  return new NextRequest(new URL("/api/conversations?view=all", "http://127.0.0.1:3999"), { headers: { cookie } });
}

async function inboxStatus(cookie: string) {
  return (await listConversations(inboxRequest(cookie), routeParams({}))).status;
}

describe("sessions end on the server", () => {
  // The deployment says its URL; next-auth warns when it has to guess.
  beforeAll(() => void vi.stubEnv("NEXTAUTH_URL", "http://127.0.0.1:3999"));

  it("sign-out ends the session: a copy of the cookie taken before is refused afterwards", async () => {
    const { users } = await createOrg();
    const laptop = browser();
    const copied = await laptop.signIn(users.agent.email);
    expect(await inboxStatus(copied)).toBe(200);
    expect((await getRequestUser(inboxRequest(copied)))?.email).toBe(users.agent.email);

    await laptop.signOut();
    expect(laptop.jar.has(SESSION)).toBe(false);
    const refused = await listConversations(inboxRequest(copied), routeParams({}));
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.code).toBe("unauthorized");
    expect(await getRequestUser(inboxRequest(copied))).toBeNull();
  });

  it("one version per user: signing out ends that user's other sessions too, but a stale cookie cannot end a newer one", async () => {
    const { users } = await createOrg();
    const laptop = browser();
    const phone = browser();
    const laptopCookie = await laptop.signIn(users.agent.email);
    const phoneCookie = await phone.signIn(users.agent.email);
    const otherUser = await browser().signIn(users.agent2.email);

    await laptop.signOut();
    expect(await inboxStatus(laptopCookie)).toBe(401);
    expect(await inboxStatus(phoneCookie)).toBe(401);
    expect(await inboxStatus(otherUser)).toBe(200);

    // Signing in again works; signing out once more with the old, copied cookie moves nothing.
    const fresh = await browser().signIn(users.agent.email);
    const stale = browser();
    stale.jar.set(SESSION, laptopCookie.slice(SESSION.length + 1));
    await stale.signOut();
    expect(await inboxStatus(fresh)).toBe(200);
  });

  it("a user written before session versions existed keeps signing in, and signing out ends the session", async () => {
    const { orgId, users } = await createOrg();
    await scoped(orgId)("users").updateOne({ _id: users.agent._id }, { $unset: { sessionVersion: "" } });
    const laptop = browser();
    const copied = await laptop.signIn(users.agent.email);
    expect(await inboxStatus(copied)).toBe(200);
    await laptop.signOut();
    expect(await inboxStatus(copied)).toBe(401);
  });

  it("a password change ends every session of the user, and only with the current password", async () => {
    const { orgId, users } = await createOrg();
    const laptop = await browser().signIn(users.agent.email);
    const phone = await browser().signIn(users.agent.email);
    const change = async (body: unknown) => {
      const req = await request(null, "/api/me/password", { method: "POST", body, headers: { cookie: laptop } });
      return changePasswordRoute(req, routeParams({}));
    };
    const wrong = await change({ currentPassword: "not it", newPassword: "a much longer secret" });
    expect(wrong.status).toBe(422);
    expect((await wrong.json()).error.message).toMatch(/currentPassword/);
    const short = await change({ currentPassword: TEST_PASSWORD, newPassword: "short" });
    expect(short.status).toBe(422);
    expect(await inboxStatus(phone)).toBe(200);

    const ok = await change({ currentPassword: TEST_PASSWORD, newPassword: "a much longer secret" });
    expect(ok.status).toBe(200);
    expect(await inboxStatus(laptop)).toBe(401);
    expect(await inboxStatus(phone)).toBe(401);
    expect(await getRequestUser(inboxRequest(phone))).toBeNull();
    await expect(browser().signIn(users.agent.email)).rejects.toThrow(/no session cookie/);
    expect(await inboxStatus(await browser().signIn(users.agent.email, "a much longer secret"))).toBe(200);
    expect(await scoped(orgId)("activity_logs").countDocuments({ action: "user.password_changed", entityId: users.agent._id })).toBe(1);
  });

  it("deactivation ends the session, and reactivating the user does not revive the old cookie", async () => {
    const { users } = await createOrg();
    const cookie = await browser().signIn(users.agent.email);
    const id = users.agent._id.toHexString();
    const setActive = async (active: boolean) =>
      (await patchUser(await request(users.admin, `/api/users/${id}`, { method: "PATCH", body: { active } }), routeParams({ id }))).status;
    expect(await setActive(false)).toBe(200);
    expect(await inboxStatus(cookie)).toBe(401);
    expect(await setActive(true)).toBe(200);
    expect(await inboxStatus(cookie)).toBe(401);
    expect(await getRequestUser(inboxRequest(cookie))).toBeNull();
    expect(await inboxStatus(await browser().signIn(users.agent.email))).toBe(200);
  });
});
