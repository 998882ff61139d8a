import type { Permission } from "@/lib/auth/permissions";

/** The sections of the app; each issue that adds a section adds its entry here. */
export const navItems: { href: string; label: string; permission?: Permission }[] = [
  { href: "/inbox", label: "Inbox", permission: "read:conversations" },
  { href: "/tickets", label: "Tickets", permission: "view:tickets" },
  { href: "/contacts", label: "Contacts", permission: "view:contacts" },
  { href: "/templates", label: "Templates", permission: "manage:templates" },
  { href: "/campaigns", label: "Campaigns", permission: "manage:campaigns" },
  { href: "/", label: "Dashboard" },
  { href: "/team", label: "Team", permission: "manage:agents" },
  { href: "/settings/general", label: "Settings", permission: "system:admin" },
  { href: "/settings/custom-fields", label: "Custom fields", permission: "system:admin" },
  { href: "/settings/canned-responses", label: "Saved replies", permission: "manage:canned_responses" },
  { href: "/settings/audit-log", label: "Audit log", permission: "system:admin" },
  { href: "/settings/whatsapp", label: "WhatsApp numbers", permission: "system:admin" },
  { href: "/settings/jobs", label: "Background jobs", permission: "system:admin" },
  { href: "/settings/webhook-events", label: "Webhook events", permission: "system:admin" },
  { href: "/settings/ai-agents", label: "AI agents", permission: "system:admin" },
  { href: "/settings/knowledge", label: "Knowledge base", permission: "system:admin" },
  { href: "/settings/ai-runs", label: "AI run log", permission: "system:admin" },
];
