import type { ActivityEntityType, ActivityLogDoc, AuditLogRow } from "@/lib/schemas/activity-log";
import { journeyStageLabels, type JourneyStage } from "@/lib/schemas/journey";

/**
 * The audit log as people read it: "Ada Admin assigned the conversation with Maria Garcia to Bea
 * Agent", with the changed fields as before → after and names in place of ids. Pure: the names are
 * looked up beforehand (lib/audit/audit-log.ts), in one batch per kind of entity.
 */

/** What an entry is about: its entity type, except that settings entries name their own kind. */
export type EntityKind = Exclude<ActivityEntityType, "settings"> | "settings" | "canned_response" | "custom_field";

export function kindOf(e: Pick<ActivityLogDoc, "action" | "entityType">): EntityKind {
  if (e.entityType !== "settings") return e.entityType;
  const prefix = e.action.split(".")[0];
  return prefix === "canned_response" || prefix === "custom_field" ? prefix : "settings";
}

type Entry = { verb: string; tail?: string; label: string };

/** Every action the app records, with its verb and its name in the filter. Unknown ones still read (see `fallback`). */
export const actionCatalog: Record<string, Entry & { entity: ActivityEntityType }> = {
  "conversation.assigned": { entity: "conversation", verb: "assigned", label: "Conversation assigned" },
  "conversation.unassigned": { entity: "conversation", verb: "unassigned", label: "Conversation unassigned" },
  "conversation.auto_assigned": { entity: "conversation", verb: "auto-assigned", label: "Conversation auto-assigned" },
  "conversation.auto_assign_skipped": { entity: "conversation", verb: "could not auto-assign", tail: " (no agent available)", label: "Auto-assignment skipped" },
  "conversation.reopened": { entity: "conversation", verb: "reopened", label: "Conversation reopened" },
  "conversation.resolved": { entity: "conversation", verb: "resolved", label: "Conversation resolved" },
  "conversation.closed": { entity: "conversation", verb: "closed", label: "Conversation closed" },
  "conversation.waiting": { entity: "conversation", verb: "set", tail: " to waiting for the customer", label: "Conversation set to waiting" },
  "conversation.snoozed": { entity: "conversation", verb: "snoozed", label: "Conversation snoozed" },
  "conversation.snooze_ended": { entity: "conversation", verb: "woke", tail: " (the snooze ended)", label: "Snooze ended" },
  "conversation.updated": { entity: "conversation", verb: "updated", label: "Conversation updated" },
  "conversation.priority_changed": { entity: "conversation", verb: "changed the priority of", label: "Conversation priority changed" },
  "message.note_added": { entity: "message", verb: "added a note to", label: "Note added" },
  "message.retried": { entity: "message", verb: "retried a failed message in", label: "Message retried" },
  "contact.created": { entity: "contact", verb: "added contact", label: "Contact added" },
  "contact.updated": { entity: "contact", verb: "updated contact", label: "Contact updated" },
  "contact.merged": { entity: "contact", verb: "merged a duplicate into contact", label: "Contacts merged" },
  "contact.merge_undone": { entity: "contact", verb: "undid a merge into contact", label: "Merge undone" },
  "contact.erased": { entity: "contact", verb: "erased the personal data of a contact", label: "Contact erased" },
  "contact.data_exported": { entity: "contact", verb: "exported the data of contact", label: "Contact data exported" },
  "contacts.exported": { entity: "contact", verb: "exported contacts", label: "Contacts exported" },
  "contact_tag.colored": { entity: "contact", verb: "recoloured a tag", label: "Tag recoloured" },
  "contact_list.created": { entity: "contact_list", verb: "created", label: "List created" },
  "contact_list.deleted": { entity: "contact_list", verb: "deleted", label: "List deleted" },
  "segment.created": { entity: "segment", verb: "created", label: "Segment created" },
  "segment.updated": { entity: "segment", verb: "updated", label: "Segment updated" },
  "segment.deleted": { entity: "segment", verb: "deleted", label: "Segment deleted" },
  "contact_import.uploaded": { entity: "contact_import", verb: "uploaded", label: "Import uploaded" },
  "contact_import.started": { entity: "contact_import", verb: "started", label: "Import started" },
  "contact_import.resumed": { entity: "contact_import", verb: "resumed", label: "Import resumed" },
  "custom_field.created": { entity: "settings", verb: "added", label: "Custom field added" },
  "custom_field.updated": { entity: "settings", verb: "changed", label: "Custom field changed" },
  "custom_field.deleted": { entity: "settings", verb: "removed", label: "Custom field removed" },
  "canned_response.created": { entity: "settings", verb: "added", label: "Saved reply added" },
  "canned_response.updated": { entity: "settings", verb: "changed", label: "Saved reply changed" },
  "canned_response.deleted": { entity: "settings", verb: "deleted", label: "Saved reply deleted" },
  "settings.updated": { entity: "settings", verb: "changed", label: "Settings changed" },
  "ticket.created": { entity: "ticket", verb: "opened", label: "Ticket opened" },
  "ticket.updated": { entity: "ticket", verb: "updated", label: "Ticket updated" },
  "ticket.status_changed": { entity: "ticket", verb: "changed the status of", label: "Ticket status changed" },
  "template.submitted": { entity: "template", verb: "submitted", label: "Template submitted" },
  "template.edited": { entity: "template", verb: "edited", label: "Template edited" },
  "template.deleted": { entity: "template", verb: "deleted", label: "Template deleted" },
  "templates.synced": { entity: "template", verb: "synced the templates from Meta", label: "Templates synced" },
  "user.created": { entity: "user", verb: "added", tail: " to the team", label: "User added" },
  "user.updated": { entity: "user", verb: "updated", label: "User updated" },
  "user.role_changed": { entity: "user", verb: "changed the role of", label: "Role changed" },
  "user.deactivated": { entity: "user", verb: "deactivated", label: "User deactivated" },
  "user.reactivated": { entity: "user", verb: "reactivated", label: "User reactivated" },
  "user.availability_changed": { entity: "user", verb: "changed the availability of", label: "Availability changed" },
  "user.password_changed": { entity: "user", verb: "changed the password of", label: "Password changed" },
  "user.sign_in_locked": { entity: "user", verb: "locked sign-in for", label: "Sign-in locked" },
  "ai_agent.updated": { entity: "ai_agent", verb: "updated", label: "AI agent updated" },
  "ai_agent.activated": { entity: "ai_agent", verb: "switched on", label: "AI agent switched on" },
  "ai_agent.deactivated": { entity: "ai_agent", verb: "switched off", label: "AI agent switched off" },
  "knowledge_article.created": { entity: "knowledge_article", verb: "added", label: "Article added" },
  "knowledge_article.updated": { entity: "knowledge_article", verb: "edited", label: "Article edited" },
  "knowledge_article.deleted": { entity: "knowledge_article", verb: "deleted", label: "Article deleted" },
  "campaign.created": { entity: "campaign", verb: "created", label: "Campaign created" },
  "campaign.updated": { entity: "campaign", verb: "edited", label: "Campaign edited" },
  "campaign.deleted": { entity: "campaign", verb: "deleted", label: "Campaign deleted" },
  "campaign.started": { entity: "campaign", verb: "started", label: "Campaign started" },
  "campaign.scheduled": { entity: "campaign", verb: "scheduled", label: "Campaign scheduled" },
  "campaign.unscheduled": { entity: "campaign", verb: "unscheduled", label: "Campaign unscheduled" },
  "campaign.paused": { entity: "campaign", verb: "paused", label: "Campaign paused" },
  "campaign.resumed": { entity: "campaign", verb: "resumed", label: "Campaign resumed" },
  "campaign.cancelled": { entity: "campaign", verb: "cancelled", label: "Campaign cancelled" },
  "campaign.exported": { entity: "campaign", verb: "exported the recipients of", label: "Campaign exported" },
  "campaign.test_sent": { entity: "campaign", verb: "sent a test of", label: "Campaign test sent" },
  "whatsapp_account.sending_updated": { entity: "whatsapp_account", verb: "changed the sending settings of", label: "Sending settings changed" },
  "organization.setup_completed": { entity: "organization", verb: "set up", label: "Organization set up" },
  "webhook_event.replayed": { entity: "webhook_event", verb: "replayed", label: "Webhook event replayed" },
  "job.retried": { entity: "job", verb: "retried", label: "Job retried" },
  "journey.stage_changed": { entity: "contact", verb: "moved", label: "Journey stage changed" },
  "journey.move_undone": { entity: "contact", verb: "undid a journey move of", label: "Journey move undone" },
  "journey.suggestion_dismissed": { entity: "contact", verb: "dismissed the AI's journey suggestion for", label: "Journey suggestion dismissed" },
};

export const entityTypeLabels: Record<ActivityEntityType, string> = {
  organization: "Organization",
  user: "Team members",
  conversation: "Conversations",
  contact: "Contacts",
  message: "Messages and notes",
  settings: "Settings, saved replies, custom fields",
  whatsapp_account: "WhatsApp numbers",
  template: "Templates",
  ai_agent: "AI agents",
  knowledge_article: "Knowledge base",
  campaign: "Campaigns",
  segment: "Segments",
  contact_list: "Contact lists",
  contact_import: "Contact imports",
  trigger: "Automations",
  api_key: "API keys",
  webhook_event: "Webhook events",
  job: "Background jobs",
  ticket: "Tickets",
};

/** Fields that hold the id of another record, and which kind of record: shown by its name. */
export const refFields: Record<string, "user" | "contact" | "conversation" | "contact_list"> = {
  assigneeId: "user",
  ownerId: "user",
  userId: "user",
  by: "user",
  merged: "contact",
  restored: "contact",
  conversationId: "conversation",
  listId: "contact_list",
};

/** Bookkeeping the reader cannot act on (internal ids, whole documents): left out of the changes. */
const hiddenFields = new Set(["identityKey", "bulkActionId", "mergeId", "messageId", "components", "definition", "mapping", "options", "results", "q", "columns", "kind"]);

const fieldLabels: Record<string, string> = {
  assigneeId: "assignee",
  stage: "journey stage",
  ownerId: "owner",
  aiEnabled: "AI replies",
  snoozedUntil: "snoozed until",
  throughputMps: "messages per second",
  marketingMessagesApi: "marketing messages API",
  maxConversations: "max conversations",
  nameBlockedUntil: "name reusable from",
  fromRow: "from row",
  merged: "merged contact",
  restored: "restored contact",
  conversationId: "conversation",
  listId: "list",
};

/** The names the lookups found, by kind and 24-hex id. */
export type Names = Partial<Record<EntityKind, Map<string, string>>>;

const quote = (s: string) => `“${s}”`;
const humanize = (s: string) => s.replace(/[._]/g, " ").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();

function entityPhrase(e: ActivityLogDoc, kind: EntityKind, names: Names): string | null {
  const id = e.entityId?.toHexString();
  const own = (k: EntityKind) => (id ? names[k]?.get(id) : undefined);
  const recorded = (field: string) => {
    for (const side of [e.after, e.before]) {
      const v = side?.[field];
      if (typeof v === "string" && v) return v;
    }
    return undefined;
  };
  const name = own(kind) ?? recorded("name") ?? recorded("title");
  switch (kind) {
    case "conversation":
    case "message": {
      const contact = own(kind);
      return contact ? `the conversation with ${contact}` : "a conversation that no longer exists";
    }
    case "contact":
      if (e.action === "contacts.exported" || e.action.startsWith("contacts.bulk_")) return null;
      if (e.action === "contact_tag.colored") return recorded("name") ? `tag ${quote(recorded("name")!)}` : null;
      if (e.action === "contact.erased") return null;
      return name ?? "a contact that no longer exists";
    case "ticket":
      return `ticket ${own("ticket") ?? recorded("number") ?? "(deleted)"}`;
    case "template":
      return e.entityId ? `template ${quote(name ?? "(deleted)")}` : null;
    case "user":
      return name ?? recorded("email") ?? "a former team member";
    case "canned_response": {
      const shortcut = own("canned_response") ?? recorded("shortcut");
      return shortcut ? `saved reply /${shortcut}` : "a saved reply";
    }
    case "custom_field": {
      const label = own("custom_field") ?? recorded("label") ?? recorded("key");
      return label ? `custom field ${quote(label)}` : "a custom field";
    }
    case "settings":
      return "the organization's settings";
    case "organization":
      return name ? `the organization ${quote(name)}` : "the organization";
    case "ai_agent":
      return `AI agent ${quote(name ?? "(deleted)")}`;
    case "knowledge_article":
      return `article ${quote(name ?? "(deleted)")}`;
    case "campaign":
      return `campaign ${quote(name ?? "(deleted)")}`;
    case "segment":
      return `segment ${quote(name ?? "(deleted)")}`;
    case "contact_list":
      return `list ${quote(name ?? "(deleted)")}`;
    case "contact_import":
      return `import ${quote(own("contact_import") ?? recorded("filename") ?? "(deleted)")}`;
    case "whatsapp_account":
      return `WhatsApp number ${own("whatsapp_account") ?? "(removed)"}`;
    case "job":
      return own("job") ? `a ${own("job")} job run` : "a job run";
    case "webhook_event":
      return "a webhook event";
    default:
      return name ?? null;
  }
}

function formatValue(field: string, v: unknown, names: Names): string | null {
  const ref = refFields[field];
  if (ref) {
    if (v === null || v === undefined || v === "") return ref === "user" ? "nobody" : "none";
    return (typeof v === "string" && names[ref]?.get(v)) || "(deleted)";
  }
  if (v === null || v === undefined || v === "") return "none";
  if (typeof v === "boolean") return field === "aiEnabled" || field === "active" ? (v ? "on" : "off") : v ? "yes" : "no";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") {
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v)) return `${v.replace("T", " ").slice(0, 16)} UTC`;
    if (/^[a-f0-9]{24}$/i.test(v)) return null;
    return v.length > 120 ? `${v.slice(0, 117)}…` : v;
  }
  if (Array.isArray(v)) return v.length ? v.map((x) => (typeof x === "string" || typeof x === "number" ? String(x) : "…")).join(", ") : "none";
  return null;
}

function changesOf(e: ActivityLogDoc, names: Names): AuditLogRow["changes"] {
  const fields = [...new Set([...Object.keys(e.before ?? {}), ...Object.keys(e.after ?? {})])];
  const out: AuditLogRow["changes"] = [];
  for (const field of fields) {
    if (hiddenFields.has(field)) continue;
    const inBefore = !!e.before && field in e.before;
    const inAfter = !!e.after && field in e.after;
    const before = inBefore ? formatValue(field, e.before![field], names) : null;
    const after = inAfter ? formatValue(field, e.after![field], names) : null;
    // A value with no readable form (a raw id, a nested document) is not shown half-way.
    if ((inBefore && before === null) || (inAfter && after === null)) continue;
    if (inBefore && inAfter && before === after) continue;
    out.push({ field: fieldLabels[field] ?? humanize(field), before, after });
  }
  return out;
}

function tailOf(e: ActivityLogDoc, entry: Entry, names: Names): string {
  if (entry.tail) return entry.tail;
  const assignee = e.after?.assigneeId;
  if ((e.action === "conversation.assigned" || e.action === "conversation.auto_assigned") && typeof assignee === "string") {
    return ` to ${names.user?.get(assignee) ?? "a former team member"}`;
  }
  if (e.action === "journey.stage_changed" && typeof e.after?.stage === "string" && e.after.stage in journeyStageLabels) {
    return ` to ${journeyStageLabels[e.after.stage as JourneyStage]}`;
  }
  if (e.action === "conversation.snoozed" && typeof e.after?.snoozedUntil === "string") return ` until ${formatValue("snoozedUntil", e.after.snoozedUntil, names)}`;
  return "";
}

/** An action the catalog does not know yet: its last part as the verb ("webhook_event.replayed" → "replayed"). */
function fallback(action: string): Entry {
  const parts = action.split(".");
  const prefix = parts[0] ?? "";
  const bulk = prefix === "contacts" && parts[1]?.startsWith("bulk_");
  if (bulk) return { verb: `started a bulk ${quote(humanize(parts[1]!.slice(5)))} on contacts`, label: humanize(action) };
  return { verb: humanize(parts.slice(1).join(" ") || action), label: humanize(action) };
}

export function describeEntry(e: ActivityLogDoc, names: Names): AuditLogRow {
  const entry = actionCatalog[e.action] ?? fallback(e.action);
  const kind = kindOf(e);
  return {
    id: e._id.toHexString(),
    at: e.at.toISOString(),
    actor: { name: (e.actorId && names.user?.get(e.actorId.toHexString())) || e.actorName, person: !!e.actorId },
    action: e.action,
    verb: entry.verb,
    entity: entityPhrase(e, kind, names),
    suffix: tailOf(e, entry, names),
    changes: changesOf(e, names),
  };
}
