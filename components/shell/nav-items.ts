import type { Permission } from "@/lib/auth/permissions";

/** The sections of the app; each issue that adds a section adds its entry here. */
export const navItems: { href: string; label: string; permission?: Permission }[] = [
  { href: "/", label: "Dashboard" },
  { href: "/team", label: "Team", permission: "manage:agents" },
  { href: "/settings/audit-log", label: "Audit log", permission: "system:admin" },
];
