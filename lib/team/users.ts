import { ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { can } from "@/lib/auth/permissions";
import { roles, type Role } from "@/lib/schemas/common";
import type { AssigneeResponse } from "@/lib/schemas/inbox";
import type { SettingsDoc } from "@/lib/schemas/settings";
import type { Availability, UserDoc } from "@/lib/schemas/user";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";

export async function findUserByEmail(email: string): Promise<UserDoc | null> {
  // Emails are unique across organizations (sign-in happens before an organization is known).
  return rawCollection("users").findOne({ email: email.toLowerCase() });
}

/**
 * The user behind a session with the organization's settings, re-read on every request so
 * deactivation, role and setting changes apply at once; one command (a `$lookup` on the settings'
 * unique `orgId`), as most requests need both.
 */
export async function findSessionUser(userId: string, orgId: string): Promise<(UserDoc & { settings: SettingsDoc | null }) | null> {
  if (!ObjectId.isValid(userId) || !ObjectId.isValid(orgId)) return null;
  const [row] = await scoped(new ObjectId(orgId))("users")
    .aggregate<UserDoc & { settings: SettingsDoc[] }>([
      { $match: { _id: new ObjectId(userId) } },
      { $lookup: { from: "settings", localField: "orgId", foreignField: "orgId", as: "settings" } },
    ])
    .toArray();
  return row ? { ...row, settings: row.settings[0] ?? null } : null;
}

export async function getUserOrThrow(orgId: ObjectId, id: ObjectId): Promise<UserDoc> {
  const user = await scoped(orgId)("users").findOne({ _id: id });
  if (!user) throw new ApiError("not_found", "User not found");
  return user;
}

/** Roles that write in the inbox, so can hold a conversation. */
export const assigneeRoles = roles.filter((r) => can(r, "write:messages"));

/** Active team members who can hold conversations, by name: the inbox's assign menu, filters and @mentions. */
export async function listAssignees(orgId: ObjectId): Promise<AssigneeResponse[]> {
  const users = await scoped(orgId)("users")
    .find({ active: true, role: { $in: assigneeRoles } }, { sort: { name: 1 }, projection: { _id: 1, name: 1, role: 1, availability: 1 } })
    .toArray();
  return users.map((u) => ({ id: u._id.toHexString(), name: u.name, role: u.role, availability: u.availability }));
}

export async function listUsers(orgId: ObjectId): Promise<UserDoc[]> {
  return scoped(orgId)("users").find({}, { sort: { active: -1, name: 1 } }).toArray() as Promise<UserDoc[]>;
}

export async function createUser(
  orgId: ObjectId,
  input: { email: string; name: string; role: Role; password: string; createdBy: ObjectId | null },
): Promise<UserDoc> {
  const now = new Date();
  const doc = {
    _id: new ObjectId(),
    email: input.email.toLowerCase(),
    name: input.name,
    role: input.role,
    passwordHash: await hashPassword(input.password),
    active: true,
    availability: "offline" as Availability,
    maxConversations: null,
    lastLoginAt: null,
    createdBy: input.createdBy,
    sessionVersion: 0,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await scoped(orgId)("users").insertOne(doc);
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw new ApiError("conflict", `A user with the email ${doc.email} already exists`);
    throw err;
  }
  return { ...doc, orgId };
}

/** Deactivation also ends the user's sessions (the session check refuses inactive users anyway; this keeps a reactivation from reviving old cookies). */
export async function updateUser(orgId: ObjectId, id: ObjectId, patch: Partial<Pick<UserDoc, "name" | "role" | "active" | "maxConversations" | "availability">>) {
  const updated = await scoped(orgId)("users").findOneAndUpdate(
    { _id: id },
    { $set: { ...patch, updatedAt: new Date() }, ...(patch.active === false ? { $inc: { sessionVersion: 1 } } : {}) },
    { returnDocument: "after" },
  );
  if (!updated) throw new ApiError("not_found", "User not found");
  return updated as UserDoc;
}

/**
 * Ends every session of a user issued at `issuedAt` (the version its token carries): a
 * compare-and-set, so signing out twice with the same cookie moves the version once.
 */
export async function endSessions(orgId: string, userId: string, issuedAt: number): Promise<void> {
  if (!ObjectId.isValid(userId) || !ObjectId.isValid(orgId)) return;
  // Version 0 is also a user written before versions existed (no field).
  const current = issuedAt === 0 ? { $not: { $gt: 0 } } : issuedAt;
  await scoped(new ObjectId(orgId))("users").updateOne({ _id: new ObjectId(userId), sessionVersion: current }, { $inc: { sessionVersion: 1 }, $set: { updatedAt: new Date() } });
}

/** The signed-in user's own password change: the current one proves it is them; every session ends (they sign in again). */
export async function changePassword(orgId: ObjectId, id: ObjectId, currentPassword: string, newPassword: string): Promise<void> {
  const user = await getUserOrThrow(orgId, id);
  if (!(await verifyPassword(currentPassword, user.passwordHash))) throw new ApiError("unprocessable_entity", "currentPassword: is not your current password");
  const updated = await scoped(orgId)("users").updateOne(
    { _id: id, passwordHash: user.passwordHash },
    { $set: { passwordHash: await hashPassword(newPassword), updatedAt: new Date() }, $inc: { sessionVersion: 1 } },
  );
  if (updated.matchedCount === 0) throw new ApiError("conflict", "Your password was changed at the same time elsewhere. Sign in again.");
}

export async function countActiveAdmins(orgId: ObjectId): Promise<number> {
  return scoped(orgId)("users").countDocuments({ role: "admin", active: true });
}
