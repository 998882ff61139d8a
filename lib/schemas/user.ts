import { z } from "zod";
import { idString, objectId, roleSchema, tenantFields } from "./common";

export const availabilities = ["online", "away", "busy", "offline"] as const;
export const availabilitySchema = z.enum(availabilities);
export type Availability = z.infer<typeof availabilitySchema>;

export const userDoc = z.object({
  ...tenantFields,
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  passwordHash: z.string(),
  active: z.boolean(),
  availability: availabilitySchema,
  /** Auto-assignment cap; falls back to the org setting when unset. */
  maxConversations: z.number().int().nullable(),
  /** Round-robin position of auto-assignment (lib/inbox/auto-assign.ts); absent until first assigned. */
  lastAutoAssignedAt: z.date().nullable().optional(),
  lastLoginAt: z.date().nullable(),
  createdBy: objectId.nullable(),
  /**
   * Sessions carry the version they were issued at; sign-out, a password change and deactivation
   * bump it, which ends every session of the user at its next request. Absent means 0.
   */
  sessionVersion: z.number().int().optional(),
});
export type UserDoc = z.infer<typeof userDoc>;

const email = z.email("must be a valid email address").max(254).transform((s) => s.toLowerCase());
const name = z.string().trim().min(1, "is required").max(100);

export const createUserBody = z.strictObject({ email, name, role: roleSchema });
export const updateUserBody = z
  .strictObject({
    name: name.optional(),
    role: roleSchema.optional(),
    active: z.boolean().optional(),
    maxConversations: z.number().int().min(1).max(500).nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, "Nothing to update");
export const availabilityBody = z.strictObject({ availability: availabilitySchema });
export const signInBody = z.strictObject({ email, password: z.string().min(1).max(200) });
export const MIN_PASSWORD = 10;
export const changePasswordBody = z
  .strictObject({
    currentPassword: z.string().min(1, "is required").max(200),
    newPassword: z.string().min(MIN_PASSWORD, `must be at least ${MIN_PASSWORD} characters`).max(200, "must be at most 200 characters"),
  })
  .refine((b) => b.currentPassword !== b.newPassword, { message: "must differ from the current password", path: ["newPassword"] });

/** The API's view of a user: never the hash. */
export const userResponse = z.object({
  id: idString,
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  active: z.boolean(),
  availability: availabilitySchema,
  maxConversations: z.number().nullable(),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});
export type UserResponse = z.infer<typeof userResponse>;

export function toUserResponse(u: UserDoc): UserResponse {
  return userResponse.parse({
    id: u._id.toHexString(),
    email: u.email,
    name: u.name,
    role: u.role,
    active: u.active,
    availability: u.availability,
    maxConversations: u.maxConversations,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
  });
}
