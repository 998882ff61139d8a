import { can, type Permission } from "@/lib/auth/permissions";
import type { Role } from "@/lib/schemas/common";

export type NavItem = { href: string; label: string; permission?: Permission };
export type SettingsItem = NavItem & { description: string };

/** The daily work, at the top of the navigation; each issue that adds a section adds its entry here. */
export const navItems: NavItem[] = [
  { href: "/inbox", label: "Inbox", permission: "read:conversations" },
  { href: "/tickets", label: "Tickets", permission: "view:tickets" },
  { href: "/contacts", label: "Contacts", permission: "view:contacts" },
  { href: "/journey", label: "Journey", permission: "view:contacts" },
  { href: "/campaigns", label: "Campaigns", permission: "manage:campaigns" },
  { href: "/automations", label: "Automations", permission: "manage:automations" },
  { href: "/", label: "Dashboard" },
];

/**
 * Everything set up once and visited rarely, grouped on the Settings page (`/settings`) and in its
 * side menu. Team and Templates keep their own URLs; they are listed here because people look for
 * them among the settings.
 */
export const settingsGroups: { title: string; items: SettingsItem[] }[] = [
  {
    title: "Workspace",
    items: [
      { href: "/settings/general", label: "General", permission: "system:admin", description: "Business hours, auto-assignment, agent limits, message prices" },
      { href: "/team", label: "Team", permission: "manage:agents", description: "Invite people, set roles, deactivate accounts" },
      { href: "/settings/custom-fields", label: "Custom fields", permission: "system:admin", description: "Extra contact fields and where they show" },
      { href: "/settings/canned-responses", label: "Saved replies", permission: "manage:canned_responses", description: "Answers agents insert with / in the composer" },
    ],
  },
  {
    title: "Channels",
    items: [
      { href: "/settings/whatsapp", label: "WhatsApp numbers", permission: "system:admin", description: "Connected numbers, quality, sending limits" },
      { href: "/templates", label: "Templates", permission: "manage:templates", description: "Message templates submitted to Meta" },
    ],
  },
  {
    title: "AI",
    items: [
      { href: "/settings/ai-agents", label: "AI agents", permission: "system:admin", description: "Who answers, when, and when to hand over" },
      { href: "/settings/knowledge", label: "Knowledge base", permission: "system:admin", description: "Articles the AI agent answers from" },
      { href: "/settings/ai-runs", label: "AI run log", permission: "system:admin", description: "Every AI reply with its prompt, confidence and cost" },
      { href: "/settings/lead-scoring", label: "Lead scoring", permission: "system:admin", description: "Score weights, decay and how scores are spread" },
    ],
  },
  {
    title: "Developer",
    items: [
      { href: "/settings/webhook-events", label: "Webhook events", permission: "system:admin", description: "What Meta sent, and replays" },
      { href: "/settings/webhooks", label: "Webhooks", permission: "system:admin", description: "Signed events to your own systems, their delivery log and replays" },
      { href: "/settings/api-keys", label: "API keys", permission: "system:admin", description: "Keys other systems use to call the REST API" },
      { href: "/settings/api", label: "API reference", permission: "system:admin", description: "The REST API's operations, parameters and schemas" },
      { href: "/settings/jobs", label: "Background jobs", permission: "system:admin", description: "Scheduled and queued work, failures and retries" },
      { href: "/settings/audit-log", label: "Audit log", permission: "system:admin", description: "Who changed what, and when" },
    ],
  },
];

const allowed = (role: Role, item: NavItem) => !item.permission || can(role, item.permission);

/** The settings groups a role may open; empty groups are left out. */
export function settingsFor(role: Role) {
  return settingsGroups.map((g) => ({ ...g, items: g.items.filter((i) => allowed(role, i)) })).filter((g) => g.items.length > 0);
}

/** The top navigation for a role: its daily sections, then Settings when any setting is open to it. */
export function navFor(role: Role): { href: string; label: string; match: string[] }[] {
  const items = navItems.filter((i) => allowed(role, i)).map((i) => ({ href: i.href, label: i.label, match: [i.href] }));
  const settings = settingsFor(role);
  if (settings.length) items.push({ href: "/settings", label: "Settings", match: ["/settings", ...settings.flatMap((g) => g.items.map((i) => i.href))] });
  return items;
}
