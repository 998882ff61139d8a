import type { Role } from "@/lib/schemas/common";

/** The permission list of seed 001. */
export const permissions = [
  "read:conversations",
  "write:messages",
  "assign:conversations",
  "manage:customers",
  /** The contacts directory, segments and exports: everyone's customers, not only those of conversations one may open. */
  "view:contacts",
  /** Creating contacts by hand, saving segments, bulk actions and imports over the directory. */
  "manage:contacts",
  /** Reading tickets, their notes and history. */
  "view:tickets",
  /** Opening, assigning, changing and resolving tickets. */
  "manage:tickets",
  "view:analytics",
  "manage:agents",
  /** Saved replies of the inbox composer (`/shortcut`): supervisors and admins. */
  "manage:canned_responses",
  /** Building message templates and submitting, editing and deleting them at Meta. */
  "manage:templates",
  /** Composing, scheduling, sending, pausing and cancelling campaigns. */
  "manage:campaigns",
  /** Triggers, workflows and lead-scoring rules. */
  "manage:automations",
  "system:admin",
] as const;
export type Permission = (typeof permissions)[number];

export const rolePermissions: Record<Role, readonly Permission[]> = {
  admin: permissions,
  supervisor: [
    "read:conversations",
    "write:messages",
    "assign:conversations",
    "manage:customers",
    "view:contacts",
    "manage:contacts",
    "view:tickets",
    "manage:tickets",
    "view:analytics",
    "manage:canned_responses",
  ],
  agent: ["read:conversations", "write:messages", "manage:customers", "view:tickets", "manage:tickets"],
  /** Reaches customers in bulk; reads conversations (a campaign's replies) but never writes in the inbox. */
  marketer: ["read:conversations", "view:contacts", "manage:contacts", "manage:templates", "manage:campaigns", "manage:automations", "view:analytics"],
  viewer: ["read:conversations", "view:contacts", "view:tickets", "view:analytics"],
};

export function can(role: Role, permission: Permission): boolean {
  return rolePermissions[role].includes(permission);
}
