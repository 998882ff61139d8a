import { ObjectId, type Document, type Filter } from "mongodb";
import { rawCollection, type Docs } from "@/lib/db/collections";
import { currentScope, withCommandScope } from "@/lib/db/command-log";
import { scoped } from "@/lib/db/scoped";
import { beforeCursor, encodeCursor } from "@/lib/inbox/cursor";
import { AUTOMATION_ACTOR, type ActivityLogDoc, type AuditLogQuery, type AuditLogRow } from "@/lib/schemas/activity-log";
import { describeEntry, kindOf, refFields, type EntityKind, type Names } from "./describe";

export const AUDIT_PAGE_SIZE = 50;

/**
 * The audit log newest first, filtered by actor, entity type and action, in `(at, _id)` keyset
 * pages (indexes org_time, org_actor_time, org_entity_type_time, org_action_time), each entry
 * described with names: a fixed number of `$in` lookups per page, whatever its length.
 */
/** The tag the index-coverage check knows combined audit-log filters by (tests/support/index-coverage/allow-list.ts). */
export const AUDIT_FILTERS_SCOPE_TAG = "audit-filters";

export async function listAuditLog(orgId: ObjectId, q: AuditLogQuery, limit = AUDIT_PAGE_SIZE): Promise<{ rows: AuditLogRow[]; nextCursor: string | null }> {
  const filter: Filter<ActivityLogDoc> = {};
  if (q.actor) filter.actorId = q.actor === AUTOMATION_ACTOR ? null : new ObjectId(q.actor);
  if (q.entity) filter.entityType = q.entity;
  if (q.action) filter.action = q.action;
  const keyset = q.cursor ? beforeCursor("at", q.cursor) : {};
  const read = () => scoped(orgId)("activity_logs").find({ ...filter, ...keyset }, { sort: { at: -1, _id: -1 }, limit: limit + 1 }).toArray();
  // One filter has its own index; a combination is served by one of them and checked on the entries it finds.
  const combined = Object.keys(filter).length > 1;
  const docs = (await (combined ? withCommandScope(`${currentScope() ?? "app"}|${AUDIT_FILTERS_SCOPE_TAG}`, read) : read())) as ActivityLogDoc[];
  const page = docs.slice(0, limit);
  const names = await resolveNames(orgId, page);
  const last = page.at(-1);
  return { rows: page.map((d) => describeEntry(d, names)), nextCursor: docs.length > limit && last ? encodeCursor(last.at, last._id) : null };
}

type Lookup = { [K in keyof Docs]?: { coll: K; label: (d: Docs[K]) => string | null } }[keyof Docs];

/** Kinds named straight from their own document. Conversations and messages name their contact (below). */
const direct: Partial<Record<EntityKind, Lookup>> = {
  user: { coll: "users", label: (d) => d.name },
  ticket: { coll: "tickets", label: (d) => d.number },
  template: { coll: "whatsapp_templates", label: (d) => d.name },
  canned_response: { coll: "canned_responses", label: (d) => d.shortcut },
  custom_field: { coll: "custom_field_definitions", label: (d) => d.label },
  ai_agent: { coll: "ai_agents", label: (d) => d.name },
  knowledge_article: { coll: "knowledge_articles", label: (d) => d.title },
  campaign: { coll: "campaigns", label: (d) => d.name },
  segment: { coll: "segments", label: (d) => d.name },
  contact_list: { coll: "contact_lists", label: (d) => d.name },
  contact_import: { coll: "contact_imports", label: (d) => d.filename },
  whatsapp_account: { coll: "whatsapp_accounts", label: (d) => d.displayPhoneNumber },
  job: { coll: "workflow_executions", label: (d) => d.job },
};

const projections: Partial<Record<keyof Docs, Document>> = {
  users: { name: 1 },
  tickets: { number: 1 },
  whatsapp_templates: { name: 1 },
  canned_responses: { shortcut: 1 },
  custom_field_definitions: { label: 1 },
  ai_agents: { name: 1 },
  knowledge_articles: { title: 1 },
  campaigns: { name: 1 },
  segments: { name: 1 },
  contact_lists: { name: 1 },
  contact_imports: { filename: 1 },
  whatsapp_accounts: { displayPhoneNumber: 1 },
  workflow_executions: { job: 1 },
};

const hex = (id: ObjectId) => id.toHexString();
const asIds = (values: Iterable<string>) => [...values].filter((v) => ObjectId.isValid(v) && v.length === 24).map((v) => new ObjectId(v));

/** Documents of one organization by id; `_id: {$in}` is a point lookup, at most a page's worth of ids. */
async function byIds<K extends Exclude<keyof Docs, "organizations" | "login_throttles" | "platform_state">>(orgId: ObjectId, coll: K, ids: ObjectId[], projection: Document) {
  if (!ids.length) return [];
  return scoped(orgId)(coll).find({ _id: { $in: ids } } as Filter<Docs[K]>, { projection }).toArray();
}

export async function resolveNames(orgId: ObjectId, entries: ActivityLogDoc[]): Promise<Names> {
  const want = new Map<EntityKind, Set<string>>();
  const add = (kind: EntityKind, id: string | null | undefined) => {
    if (!id) return;
    if (!want.has(kind)) want.set(kind, new Set());
    want.get(kind)!.add(id);
  };
  for (const e of entries) {
    if (e.actorId) add("user", hex(e.actorId));
    if (e.entityId) add(kindOf(e), hex(e.entityId));
    for (const side of [e.before, e.after]) {
      for (const [field, kind] of Object.entries(refFields)) {
        const v = side?.[field];
        if (typeof v === "string") add(kind, v);
      }
    }
  }
  const names: Names = {};
  const put = (kind: EntityKind, id: string, label: string | null | undefined) => {
    if (!label) return;
    (names[kind] ??= new Map()).set(id, label);
  };

  // Round 1: every directly named kind, and the conversations behind messages.
  const messageConversation = new Map<string, string>();
  await Promise.all([
    ...[...want].flatMap(([kind, ids]) => {
      const lookup = direct[kind];
      if (!lookup) return [];
      return [
        byIds(orgId, lookup.coll as never, asIds(ids), projections[lookup.coll]!).then((docs) => {
          for (const d of docs as { _id: ObjectId }[]) put(kind, hex(d._id), (lookup.label as (x: unknown) => string | null)(d));
        }),
      ];
    }),
    byIds(orgId, "messages", asIds(want.get("message") ?? []), { conversationId: 1 }).then((docs) => {
      for (const m of docs) messageConversation.set(hex(m._id), hex(m.conversationId));
    }),
    want.has("organization")
      ? rawCollection("organizations").findOne({ _id: orgId }, { projection: { name: 1 } }).then((o) => o && put("organization", hex(orgId), o.name))
      : Promise.resolve(),
  ]);

  // Round 2: conversations, for their contact.
  const conversationContact = new Map<string, string>();
  const conversationIds = new Set([...(want.get("conversation") ?? []), ...messageConversation.values()]);
  for (const c of await byIds(orgId, "conversations", asIds(conversationIds), { contactId: 1 })) conversationContact.set(hex(c._id), hex(c.contactId));

  // Round 3: contacts, named by name or else phone.
  const contactIds = new Set([...(want.get("contact") ?? []), ...conversationContact.values()]);
  const contactName = new Map<string, string>();
  for (const c of await byIds(orgId, "contacts", asIds(contactIds), { name: 1, phone: 1 })) {
    const label = c.name || c.phone;
    if (label) contactName.set(hex(c._id), label);
  }
  for (const [id, label] of contactName) put("contact", id, label);
  for (const [conversationId, contactId] of conversationContact) put("conversation", conversationId, contactName.get(contactId));
  for (const [messageId, conversationId] of messageConversation) put("message", messageId, contactName.get(conversationContact.get(conversationId) ?? ""));
  return names;
}

/** The people who can appear as actors, for the filter: the organization's users, by name. */
export async function auditActors(orgId: ObjectId): Promise<{ id: string; name: string }[]> {
  const users = await scoped(orgId)("users").find({}, { sort: { active: -1, name: 1 }, projection: { name: 1 }, limit: 1000 }).toArray();
  return users.map((u) => ({ id: hex(u._id), name: u.name }));
}
