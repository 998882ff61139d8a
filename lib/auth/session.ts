import type { ObjectId } from "mongodb";
import { getServerSession } from "next-auth";
import { getToken } from "next-auth/jwt";
import type { NextRequest } from "next/server";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { toOrgSettings, type OrgSettings } from "@/lib/settings/settings";
import { findSessionUser } from "@/lib/team/users";
import type { UserDoc } from "@/lib/schemas/user";
import { authOptions } from "./options";
import { can, type Permission } from "./permissions";

/** The signed-in user with the organization's settings, both read with the session (one command). */
export type SessionUser = UserDoc & { orgId: ObjectId; settings: OrgSettings };

/**
 * The signed-in user, re-read from the database: a deactivated user's JWT stops working at once,
 * and a role or settings change applies on the next request. Read once per page render: the app
 * layout, a section layout and the page each ask, and `cache` makes that one database round trip.
 */
export const getSessionUser = cache(async (): Promise<SessionUser | null> => {
  const session = await getServerSession(authOptions);
  return activeUser(session?.user?.id, session?.user?.orgId, session?.user?.sv);
});

/** The same for API routes, decoded from the request's session cookie (no global request state). */
export async function getRequestUser(req: NextRequest): Promise<SessionUser | null> {
  const token = await getToken({ req, secret: process.env.NEXTAUTH_SECRET });
  return activeUser(token?.uid, token?.orgId, token?.sv);
}

async function activeUser(userId: string | undefined, orgId: string | undefined, sessionVersion: number | undefined): Promise<SessionUser | null> {
  if (!userId || !orgId) return null;
  const found = await findSessionUser(userId, orgId);
  if (!found?.active) return null;
  // A session from before a sign-out, password change or deactivation.
  if ((found.sessionVersion ?? 0) !== (sessionVersion ?? 0)) return null;
  return { ...found, settings: toOrgSettings(found.settings) };
}

/** For pages: redirect to sign-in when signed out, render the 403 page when the role forbids. */
export async function requirePageUser(permission?: Permission): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect("/sign-in");
  if (permission && !can(user.role, permission)) forbidden();
  return user;
}
