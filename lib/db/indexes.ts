import type { IndexDescription } from "mongodb";
import type { CollectionName } from "./collections";
import { getDb } from "./client";

/**
 * Every index, in one place. Applied by `npm run db:indexes` (deploy time, test setup), never on the
 * request path. Unique indexes are what idempotency relies on; none is sparse or partial (FerretDB
 * v1 has neither), so every field under a unique index is present and non-null in every document.
 * Tenant indexes lead with orgId: it is also the shard key prefix on an Atlas sharded cluster.
 */
export const indexes: { [K in CollectionName]: IndexDescription[] } = {
  organizations: [{ key: { slug: 1 }, name: "slug_unique", unique: true }],
  users: [
    { key: { email: 1 }, name: "email_unique", unique: true },
    { key: { orgId: 1, role: 1, active: 1 }, name: "org_role" },
    { key: { orgId: 1, availability: 1 }, name: "org_availability" },
  ],
  settings: [{ key: { orgId: 1 }, name: "org_unique", unique: true }],
  activity_logs: [
    { key: { orgId: 1, at: -1 }, name: "org_time" },
    { key: { orgId: 1, entityType: 1, entityId: 1, at: -1 }, name: "org_entity_time" },
  ],
  login_throttles: [{ key: { key: 1 }, name: "key_unique", unique: true }],
  whatsapp_accounts: [
    { key: { phoneNumberId: 1 }, name: "phone_number_id_unique", unique: true },
    { key: { orgId: 1 }, name: "org" },
    // Template and account webhooks name only the WABA.
    { key: { wabaId: 1 }, name: "waba" },
  ],
  contacts: [
    { key: { orgId: 1, identityKey: 1 }, name: "org_identity_unique", unique: true },
    { key: { orgId: 1, bsuid: 1 }, name: "org_bsuid" },
    { key: { orgId: 1, tags: 1 }, name: "org_tags" },
    { key: { orgId: 1, searchTokens: 1 }, name: "org_search" },
    { key: { orgId: 1, createdAt: -1 }, name: "org_created" },
  ],
  consent_events: [{ key: { orgId: 1, contactId: 1, at: -1 }, name: "org_contact_time" }],
  conversations: [
    { key: { orgId: 1, liveKey: 1 }, name: "org_live_unique", unique: true },
    { key: { orgId: 1, lastActivityAt: -1, _id: -1 }, name: "org_activity" },
    { key: { orgId: 1, status: 1, lastActivityAt: -1 }, name: "org_status_activity" },
    { key: { orgId: 1, assigneeId: 1, lastActivityAt: -1 }, name: "org_assignee_activity" },
    // `assigned` (derived-keys.ts) is the Unassigned view's filter: an equality FerretDB can push down.
    { key: { orgId: 1, assigned: 1, lastActivityAt: -1 }, name: "org_assigned_activity" },
    { key: { orgId: 1, contactId: 1, createdAt: -1 }, name: "org_contact" },
    // Time buckets (time-keys.ts): the list reads newest first one bucket at a time; live polls read minutes.
    { key: { orgId: 1, activityHour: 1, lastActivityAt: -1 }, name: "org_activity_hour" },
    { key: { orgId: 1, activityDay: 1, lastActivityAt: -1 }, name: "org_activity_day" },
    { key: { orgId: 1, activityMonth: 1, lastActivityAt: -1 }, name: "org_activity_month" },
    { key: { orgId: 1, updatedMinute: 1 }, name: "org_updated_minute" },
    { key: { orgId: 1, searchTokens: 1 }, name: "org_search" },
    { key: { orgId: 1, snoozedUntil: 1 }, name: "org_snoozed" },
  ],
  messages: [
    { key: { orgId: 1, key: 1 }, name: "org_key_unique", unique: true },
    { key: { orgId: 1, waMessageId: 1 }, name: "org_wamid" },
    { key: { orgId: 1, conversationId: 1, sentAt: -1, _id: -1 }, name: "org_conversation_time" },
    { key: { orgId: 1, conversationId: 1, updatedAt: 1 }, name: "org_conversation_updated" },
    { key: { orgId: 1, searchTokens: 1 }, name: "org_search" },
    // Message-text search reads the newest matches one time bucket at a time (time-keys.ts).
    { key: { orgId: 1, sentHour: 1 }, name: "org_sent_hour" },
    { key: { orgId: 1, sentDay: 1 }, name: "org_sent_day" },
    { key: { orgId: 1, sentMonth: 1 }, name: "org_sent_month" },
    { key: { orgId: 1, "media.download": 1 }, name: "org_media_download" },
  ],
  orphan_statuses: [
    { key: { orgId: 1, key: 1 }, name: "org_key_unique", unique: true },
    { key: { orgId: 1, waMessageId: 1 }, name: "org_wamid" },
  ],
  webhook_events: [
    { key: { receivedAt: -1 }, name: "received" },
    { key: { outcome: 1, receivedAt: -1 }, name: "outcome_received" },
    { key: { orgId: 1, receivedAt: -1 }, name: "org_received" },
  ],
  whatsapp_templates: [
    { key: { orgId: 1, key: 1 }, name: "org_key_unique", unique: true },
    { key: { orgId: 1, status: 1, name: 1 }, name: "org_status_name" },
    { key: { metaId: 1 }, name: "meta_id" },
  ],
  canned_responses: [{ key: { orgId: 1, shortcut: 1 }, name: "org_shortcut_unique", unique: true }],
  ai_agents: [{ key: { orgId: 1, type: 1, active: 1 }, name: "org_type" }],
  ai_runs: [
    { key: { orgId: 1, createdAt: -1 }, name: "org_time" },
    { key: { orgId: 1, agentId: 1, createdAt: -1 }, name: "org_agent_time" },
    { key: { orgId: 1, conversationId: 1, createdAt: -1 }, name: "org_conversation_time" },
    // The run log pages by _id (time-ordered) as its cursor.
    { key: { orgId: 1, _id: -1 }, name: "org_id" },
  ],
  ai_reply_claims: [
    { key: { orgId: 1, key: 1 }, name: "org_key_unique", unique: true },
    { key: { orgId: 1, createdAt: 1 }, name: "org_created" },
  ],
  conversation_analytics: [{ key: { orgId: 1, conversationId: 1 }, name: "org_conversation_unique", unique: true }],
  knowledge_articles: [
    { key: { orgId: 1, keywords: 1 }, name: "org_keywords" },
    { key: { orgId: 1, updatedAt: -1 }, name: "org_updated" },
  ],
  lead_scores: [
    { key: { orgId: 1, contactId: 1 }, name: "org_contact_unique", unique: true },
    { key: { orgId: 1, score: -1 }, name: "org_score" },
  ],
  customer_journeys: [
    { key: { orgId: 1, contactId: 1 }, name: "org_contact_unique", unique: true },
    { key: { orgId: 1, stage: 1 }, name: "org_stage" },
  ],
  campaigns: [{ key: { orgId: 1, status: 1, scheduledAt: 1 }, name: "org_status_schedule" }],
  campaign_recipients: [
    { key: { orgId: 1, campaignId: 1, contactId: 1 }, name: "org_campaign_contact_unique", unique: true },
    { key: { orgId: 1, campaignId: 1, status: 1 }, name: "org_campaign_status" },
    { key: { orgId: 1, messageId: 1 }, name: "org_message" },
  ],
  triggers: [{ key: { orgId: 1, active: 1, type: 1 }, name: "org_active_type" }],
  workflow_executions: [
    { key: { messageId: 1 }, name: "message_unique", unique: true },
    { key: { status: 1, startedAt: -1 }, name: "status_time" },
    { key: { job: 1, startedAt: -1 }, name: "job_time" },
    // The admin page (org + status, newest first) and retention (org, oldest first).
    { key: { orgId: 1, startedAt: -1 }, name: "org_time" },
    { key: { orgId: 1, status: 1, startedAt: -1 }, name: "org_status_time" },
  ],
  api_keys: [
    { key: { hash: 1 }, name: "hash_unique", unique: true },
    { key: { orgId: 1, createdAt: -1 }, name: "org_created" },
  ],
  webhook_endpoints: [{ key: { orgId: 1, active: 1 }, name: "org_active" }],
  tickets: [
    { key: { orgId: 1, number: 1 }, name: "org_number_unique", unique: true },
    { key: { orgId: 1, status: 1, updatedAt: -1 }, name: "org_status_updated" },
  ],
  // Read by _id only.
  platform_state: [],
};

export type IndexReport = { collection: string; name: string; unique: boolean; created: boolean }[];

/** Creates every declared index; idempotent (existing indexes with the same spec are left alone). */
export async function ensureIndexes(): Promise<IndexReport> {
  const db = getDb();
  const report: IndexReport = [];
  for (const [collection, specs] of Object.entries(indexes)) {
    const existing = new Set(
      (await db.collection(collection).listIndexes().toArray().catch(() => [])).map((i) => i.name as string),
    );
    const missing = specs.filter((s) => !existing.has(s.name!));
    if (missing.length) await db.collection(collection).createIndexes(missing);
    for (const s of specs) report.push({ collection, name: s.name!, unique: !!s.unique, created: !existing.has(s.name!) });
  }
  return report;
}
