import { ObjectId } from "mongodb";
import { encode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import { rawCollection } from "@/lib/db/collections";
import { createUser } from "@/lib/team/users";
import { defaultSettings } from "@/lib/schemas/settings";
import type { Role } from "@/lib/schemas/common";
import type { UserDoc } from "@/lib/schemas/user";

export const TEST_PASSWORD = "correct horse battery";

/** A fresh organization with its settings and one user per role. */
export async function createOrg(name = "Test Org") {
  const orgId = new ObjectId();
  const now = new Date();
  await rawCollection("organizations").insertOne({ _id: orgId, name, slug: `org-${orgId.toHexString()}`, timezone: "UTC", createdAt: now, updatedAt: now });
  await rawCollection("settings").insertOne({ ...defaultSettings, _id: new ObjectId(), orgId, updatedAt: now, updatedBy: null });
  const users = {} as Record<Role | "agent2", UserDoc>;
  for (const role of ["admin", "supervisor", "agent", "marketer", "viewer"] as const) {
    users[role] = await createUser(orgId, { email: `${role}-${orgId.toHexString()}@example.com`, name: `${role} user`, role, password: TEST_PASSWORD, createdBy: null });
  }
  users.agent2 = await createUser(orgId, { email: `agent2-${orgId.toHexString()}@example.com`, name: "second agent", role: "agent", password: TEST_PASSWORD, createdBy: null });
  return { orgId, users };
}

/** The next-auth session cookie for a user, exactly as the sign-in flow would set it. */
export async function sessionCookie(user: Pick<UserDoc, "_id" | "orgId" | "role" | "name" | "email">) {
  const token = await encode({
    token: { uid: user._id.toHexString(), orgId: user.orgId.toHexString(), role: user.role, name: user.name, email: user.email, sub: user._id.toHexString() },
    secret: process.env.NEXTAUTH_SECRET!,
  });
  return `next-auth.session-token=${token}`;
}

/** A NextRequest as a signed-in user (or anonymous with `user: null`) for calling route handlers directly. */
export async function request(
  user: Pick<UserDoc, "_id" | "orgId" | "role" | "name" | "email"> | null,
  url: string,
  init: { method?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
) {
  const headers = new Headers(init.headers);
  if (user) headers.set("cookie", await sessionCookie(user));
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers.set("content-type", "application/json");
  }
  return new NextRequest(new URL(url, "http://127.0.0.1:3999"), { method: init.method ?? "GET", headers, body });
}

/** The second argument Next passes to a route handler. */
export function routeParams<T extends Record<string, string>>(params: T) {
  return { params: Promise.resolve(params) };
}
