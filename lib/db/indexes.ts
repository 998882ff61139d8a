import type { Collection, Document, IndexDescription } from "mongodb";
import type { CollectionName } from "./collections";
import { getDb } from "./client";

/**
 * Every index, in one place. Applied by `npm run db:indexes` (deploy time, test setup), never on the
 * request path. Unique indexes are what idempotency relies on; none is partial (mongo-java-server
 * ignores a partial filter), so every field under a unique index is present and non-null in every document.
 * Tenant indexes lead with orgId: it is also the shard key prefix on an Atlas sharded cluster.
 */
export const indexes: { [K in CollectionName]: IndexDescription[] } = {
  organizations: [{ key: { slug: 1 }, name: "slug_unique", unique: true }],
  users: [
    { key: { email: 1 }, name: "email_unique", unique: true },
    { key: { orgId: 1, role: 1, active: 1 }, name: "org_role" },
    { key: { orgId: 1, availability: 1 }, name: "org_availability" },
    // The team page (active first, by name) and the assignee list (active, by name).
    { key: { orgId: 1, active: -1, name: 1 }, name: "org_active_name" },
  ],
  settings: [{ key: { orgId: 1 }, name: "org_unique", unique: true }],
  activity_logs: [
    // The audit log page (lib/audit/audit-log.ts), newest first in (at, _id) keyset pages, unfiltered
    // and by each of its filters; a combination of filters rides one of these (audit-filters scope).
    { key: { orgId: 1, at: -1, _id: -1 }, name: "org_time" },
    { key: { orgId: 1, entityType: 1, entityId: 1, at: -1 }, name: "org_entity_time" },
    { key: { orgId: 1, actorId: 1, at: -1, _id: -1 }, name: "org_actor_time" },
    { key: { orgId: 1, entityType: 1, at: -1, _id: -1 }, name: "org_entity_type_time" },
    { key: { orgId: 1, action: 1, at: -1, _id: -1 }, name: "org_action_time" },
  ],
  login_throttles: [{ key: { key: 1 }, name: "key_unique", unique: true }],
  whatsapp_accounts: [
    { key: { phoneNumberId: 1 }, name: "phone_number_id_unique", unique: true },
    // An organization's numbers, oldest first (the WhatsApp settings page, the template sync).
    { key: { orgId: 1, createdAt: 1 }, name: "org_created" },
    // Template and account webhooks name only the WABA.
    { key: { wabaId: 1 }, name: "waba" },
  ],
  contacts: [
    { key: { orgId: 1, identityKey: 1 }, name: "org_identity_unique", unique: true },
    { key: { orgId: 1, bsuid: 1 }, name: "org_bsuid" },
    // The contacts directory (lib/contacts/directory.ts): one (field, _id) keyset per sort order,
    // a search newest first, a tag filter newest first. Other segment filters are org-bounded scans.
    { key: { orgId: 1, createdAt: -1, _id: -1 }, name: "org_created_id" },
    { key: { orgId: 1, lastInboundAt: -1, _id: -1 }, name: "org_last_inbound_id" },
    { key: { orgId: 1, name: 1, _id: 1 }, name: "org_name_id" },
    { key: { orgId: 1, searchTokens: 1, createdAt: -1, _id: -1 }, name: "org_search_created" },
    { key: { orgId: 1, tags: 1, createdAt: -1, _id: -1 }, name: "org_tag_created" },
    // A list's members, newest first, and its member count.
    { key: { orgId: 1, listIds: 1, createdAt: -1, _id: -1 }, name: "org_list_created" },
    // The nightly lead scoring walks an organization's contacts by _id (lib/scoring/nightly-job.ts). Unique because
    // it is (the _id is), which also lets mongo-java-server serve the batch's scoped point writes from it.
    { key: { orgId: 1, _id: 1 }, name: "org_id", unique: true },
    // The directory sorted by lead score, and a segment's "lead score at least / at most" (docs/scoring.md).
    { key: { orgId: 1, leadScore: -1, _id: -1 }, name: "org_lead_score_id" },
    // The journey board: a column's newest arrivals first, and its count (lib/journey/board.ts).
    { key: { orgId: 1, "journey.stage": 1, "journey.since": -1, _id: -1 }, name: "org_journey_stage_since" },
  ],
  contact_lists: [{ key: { orgId: 1, name: 1 }, name: "org_name_unique", unique: true }],
  suppressions: [{ key: { orgId: 1, hash: 1 }, name: "org_hash_unique", unique: true }],
  contact_tags: [{ key: { orgId: 1, name: 1 }, name: "org_name_unique", unique: true }],
  custom_field_definitions: [{ key: { orgId: 1, key: 1 }, name: "org_key_unique", unique: true }],
  // A contact's merges for its page (undo), newest first.
  contact_merges: [{ key: { orgId: 1, survivorId: 1, createdAt: -1 }, name: "org_survivor_created" }],
  // A contact's notes on its page, newest first (also moved by a merge, cleared by an erase).
  contact_notes: [{ key: { orgId: 1, contactId: 1, createdAt: -1 }, name: "org_contact_created" }],
  segments: [{ key: { orgId: 1, name: 1 }, name: "org_name_unique", unique: true }],
  // Read by _id only (the progress bar, the job).
  contact_bulk_actions: [],
  consent_events: [
    { key: { orgId: 1, contactId: 1, at: -1 }, name: "org_contact_time" },
    // The dry run of a consent trigger (lib/automation/dry-run.ts).
    { key: { orgId: 1, at: -1 }, name: "org_time" },
  ],
  // The imports list page, newest first (lib/contacts/import/imports.ts).
  contact_imports: [{ key: { orgId: 1, createdAt: -1 }, name: "org_created" }],
  conversations: [
    { key: { orgId: 1, liveKey: 1 }, name: "org_live_unique", unique: true },
    // Lists and counts (lib/inbox/list-conversations.ts), newest activity first: status and priority
    // are always equalities or short $in there; assignee (a view, a filter or an agent's visibility),
    // a tag or the search tokens lead when the query has them. unreadCount trails for the unread badge.
    { key: { orgId: 1, status: 1, priority: 1, lastActivityAt: -1, _id: -1, unreadCount: 1 }, name: "org_list" },
    { key: { orgId: 1, assigneeId: 1, status: 1, priority: 1, lastActivityAt: -1, _id: -1, unreadCount: 1 }, name: "org_assignee_list" },
    { key: { orgId: 1, tags: 1, status: 1, priority: 1, lastActivityAt: -1, _id: -1 }, name: "org_tag_list" },
    { key: { orgId: 1, tags: 1, assigneeId: 1, status: 1, priority: 1, lastActivityAt: -1, _id: -1 }, name: "org_tag_assignee_list" },
    { key: { orgId: 1, searchTokens: 1, status: 1, priority: 1, lastActivityAt: -1, _id: -1 }, name: "org_search_list" },
    { key: { orgId: 1, searchTokens: 1, assigneeId: 1, status: 1, priority: 1, lastActivityAt: -1, _id: -1 }, name: "org_search_assignee_list" },
    // Live polls: what changed since the last one.
    { key: { orgId: 1, updatedAt: 1 }, name: "org_updated" },
    // A contact's conversations (the contact panel), all or those an agent may see.
    { key: { orgId: 1, contactId: 1, createdAt: -1 }, name: "org_contact" },
    { key: { orgId: 1, contactId: 1, assigneeId: 1, createdAt: -1 }, name: "org_contact_assignee" },
    // The dry run of a "conversation resolved" trigger (lib/automation/dry-run.ts).
    { key: { orgId: 1, resolvedAt: -1 }, name: "org_resolved" },
    // The wake-snoozed job, per organization, the longest due first.
    { key: { orgId: 1, status: 1, snoozedUntil: 1 }, name: "org_status_snoozed" },
  ],
  messages: [
    { key: { orgId: 1, key: 1 }, name: "org_key_unique", unique: true },
    { key: { orgId: 1, waMessageId: 1 }, name: "org_wamid" },
    // A thread newest first (keyset by sentAt, _id), and its live poll.
    { key: { orgId: 1, conversationId: 1, sentAt: -1, _id: -1 }, name: "org_conversation_time" },
    { key: { orgId: 1, conversationId: 1, updatedAt: 1 }, name: "org_conversation_updated" },
    // Search by message text: the newest matching messages.
    { key: { orgId: 1, searchTokens: 1, sentAt: -1 }, name: "org_search_time" },
    { key: { orgId: 1, "media.download": 1 }, name: "org_media_download" },
    // The nightly lead scoring streams an organization's recent messages in contact order (lib/scoring/nightly-job.ts).
    { key: { orgId: 1, contactId: 1, sentAt: 1 }, name: "org_contact_time" },
    // An automation's dry run replays the last 30 days of customer messages (lib/automation/dry-run.ts).
    { key: { orgId: 1, sender: 1, sentAt: -1 }, name: "org_sender_time" },
  ],
  orphan_statuses: [
    { key: { orgId: 1, key: 1 }, name: "org_key_unique", unique: true },
    { key: { orgId: 1, waMessageId: 1 }, name: "org_wamid" },
  ],
  webhook_events: [
    // The admin page: an organization's envelopes newest first (by _id), all or by outcome, and its counts.
    { key: { orgId: 1, _id: -1 }, name: "org_id" },
    { key: { orgId: 1, outcome: 1, _id: -1 }, name: "org_outcome_id" },
    // Retention, per organization and for unmapped envelopes (orgId null).
    { key: { orgId: 1, receivedAt: -1 }, name: "org_received" },
  ],
  whatsapp_templates: [
    { key: { orgId: 1, key: 1 }, name: "org_key_unique", unique: true },
    // The send (account, name, language) and the sync (an account's templates).
    { key: { orgId: 1, accountId: 1, name: 1, language: 1 }, name: "org_account_name" },
    { key: { orgId: 1, status: 1, name: 1, language: 1 }, name: "org_status_name_language" },
    // The templates page, all of them by name.
    { key: { orgId: 1, name: 1, language: 1 }, name: "org_name_language" },
  ],
  canned_responses: [{ key: { orgId: 1, shortcut: 1 }, name: "org_shortcut_unique", unique: true }],
  // loadAgent: the active agent of a type, else the newest.
  ai_agents: [
    { key: { orgId: 1, type: 1, active: -1, updatedAt: -1 }, name: "org_type_active_updated" },
    // The agents page, oldest first.
    { key: { orgId: 1, createdAt: 1 }, name: "org_created" },
  ],
  ai_runs: [
    { key: { orgId: 1, createdAt: -1 }, name: "org_time" },
    // Agent metrics: model calls of the organization's agent types over the last days.
    { key: { orgId: 1, agentType: 1, createdAt: -1 }, name: "org_agent_type_time" },
    // The run log pages by _id (time-ordered) as its cursor, unfiltered or by one of its filters.
    { key: { orgId: 1, _id: -1 }, name: "org_id" },
    { key: { orgId: 1, agentType: 1, _id: -1 }, name: "org_agent_type_id" },
    { key: { orgId: 1, outcome: 1, _id: -1 }, name: "org_outcome_id" },
    { key: { orgId: 1, conversationId: 1, _id: -1 }, name: "org_conversation_id" },
  ],
  ai_reply_claims: [
    { key: { orgId: 1, key: 1 }, name: "org_key_unique", unique: true },
    { key: { orgId: 1, createdAt: 1 }, name: "org_created" },
  ],
  conversation_analytics: [
    { key: { orgId: 1, conversationId: 1 }, name: "org_conversation_unique", unique: true },
    // The dry run of an AI-intent trigger (lib/automation/dry-run.ts).
    { key: { orgId: 1, analyzedAt: -1 }, name: "org_analyzed" },
  ],
  knowledge_articles: [
    { key: { orgId: 1, keywords: 1 }, name: "org_keywords" },
    { key: { orgId: 1, updatedAt: -1 }, name: "org_updated" },
  ],
  lead_scores: [
    { key: { orgId: 1, contactId: 1 }, name: "org_contact_unique", unique: true },
    // The settings page's score distribution (a $group over the organization's scores).
    { key: { orgId: 1, score: -1 }, name: "org_score" },
  ],
  customer_journeys: [
    // One per contact; the board's conversion figures are a $group over the organization's journeys.
    { key: { orgId: 1, contactId: 1 }, name: "org_contact_unique", unique: true },
    // The AI's stage suggestions waiting for review on the board, newest first (lib/journey/board.ts).
    { key: { orgId: 1, "suggestion.at": -1 }, name: "org_suggestion_time" },
  ],
  campaigns: [
    // The minutely start of due scheduled campaigns, per organization.
    { key: { orgId: 1, status: 1, scheduledAt: 1 }, name: "org_status_schedule" },
    // The campaigns page, newest first (keyset by createdAt, _id).
    { key: { orgId: 1, createdAt: -1, _id: -1 }, name: "org_created" },
  ],
  campaign_recipients: [
    // Materialised once per (campaign, contact): the exactly-once guarantee. Also the export's keyset.
    { key: { orgId: 1, campaignId: 1, contactId: 1 }, name: "org_campaign_contact_unique", unique: true },
    // Resume and winner: the queued (or holdback) recipients of a campaign in batches by _id.
    { key: { orgId: 1, campaignId: 1, status: 1, _id: 1 }, name: "org_campaign_status" },
    // Exclusions: what each contact of a batch received lately (frequency cap) and who hit 131049.
    { key: { orgId: 1, contactId: 1, sentAt: -1 }, name: "org_contact_sent" },
    { key: { orgId: 1, contactId: 1, cappedAt: -1 }, name: "org_contact_capped" },
    // The contact timeline's campaigns.
    { key: { orgId: 1, contactId: 1, createdAt: -1 }, name: "org_contact_created" },
    // The nightly lead scoring streams an organization's recent link clicks in contact order (lib/scoring/nightly-job.ts).
    { key: { orgId: 1, contactId: 1, clickedAt: 1 }, name: "org_contact_clicked" },
    // The plan's "sent in the last 24 h" against the messaging limit.
    { key: { orgId: 1, sentAt: -1 }, name: "org_sent" },
    // The sweep's "changed since the last count" for completed campaigns (lib/campaigns/tick-job.ts).
    { key: { orgId: 1, campaignId: 1, updatedAt: -1 }, name: "org_campaign_updated" },
  ],
  triggers: [
    { key: { orgId: 1, active: 1, type: 1 }, name: "org_active_type" },
    // Every event reads the organization's active triggers in priority order (lib/automation/evaluate.ts).
    { key: { orgId: 1, active: 1, priority: 1 }, name: "org_active_priority" },
    { key: { orgId: 1, priority: 1, createdAt: 1 }, name: "org_priority" },
    // The minute tick's due schedules (lib/automation/schedule.ts).
    { key: { orgId: 1, active: 1, nextRunAt: 1 }, name: "org_active_next_run" },
  ],
  automation_runs: [
    // A trigger's run history, newest first.
    { key: { orgId: 1, triggerId: 1, startedAt: -1 }, name: "org_trigger_started" },
    // A customer's message resumes their runs waiting for a reply.
    { key: { orgId: 1, contactId: 1, status: 1, "waiting.kind": 1 }, name: "org_contact_waiting" },
    { key: { orgId: 1, eventKey: 1 }, name: "org_event_unique", unique: true },
    // Retention removes finished runs by age (lib/jobs/retention.ts).
    { key: { orgId: 1, completedAt: 1 }, name: "org_completed" },
  ],
  automation_quotas: [
    { key: { orgId: 1, triggerId: 1, contactId: 1, day: 1 }, name: "org_trigger_contact_day_unique", unique: true },
    { key: { expiresAt: 1 }, name: "expires_ttl", expireAfterSeconds: 0 },
    { key: { orgId: 1, expiresAt: 1 }, name: "org_expires" },
  ],
  workflow_executions: [
    { key: { messageId: 1 }, name: "message_unique", unique: true },
    { key: { status: 1, startedAt: -1 }, name: "status_time" },
    { key: { job: 1, startedAt: -1 }, name: "job_time" },
    // The admin page (org + status, newest first) and retention (org, oldest first).
    { key: { orgId: 1, startedAt: -1 }, name: "org_time" },
    { key: { orgId: 1, status: 1, startedAt: -1 }, name: "org_status_time" },
    // The admin page filtered by job (and status): automation events and webhook fan-outs outnumber the rest.
    { key: { orgId: 1, job: 1, startedAt: -1 }, name: "org_job_time" },
    { key: { orgId: 1, job: 1, status: 1, startedAt: -1 }, name: "org_job_status_time" },
  ],
  api_keys: [
    // Every public-API request finds its key by the secret's hash (the only thing it sends).
    { key: { hash: 1 }, name: "hash_unique", unique: true },
    { key: { orgId: 1, createdAt: -1 }, name: "org_created" },
  ],
  // Rate-limit windows are found by _id (key and window start); Atlas deletes them by TTL, the
  // retention job by window start where no TTL runs.
  api_rate_windows: [
    { key: { expiresAt: 1 }, name: "expires_ttl", expireAfterSeconds: 0 },
    { key: { orgId: 1, windowStart: 1 }, name: "org_window" },
  ],
  api_idempotency_keys: [
    // One record per organization and Idempotency-Key: a concurrent retry loses the insert and reads the winner's.
    { key: { orgId: 1, key: 1 }, name: "org_key_unique", unique: true },
    { key: { expiresAt: 1 }, name: "expires_ttl", expireAfterSeconds: 0 },
    { key: { orgId: 1, createdAt: 1 }, name: "org_created" },
  ],
  // The fan-out reads an organization's active endpoints; the settings page lists them, oldest first.
  webhook_endpoints: [
    { key: { orgId: 1, active: 1 }, name: "org_active" },
    { key: { orgId: 1, createdAt: 1 }, name: "org_created" },
  ],
  webhook_deliveries: [
    // A fan-out that runs twice creates one delivery per endpoint and event (the key is the event id).
    { key: { orgId: 1, endpointId: 1, key: 1 }, name: "org_endpoint_key_unique", unique: true },
    // An endpoint's delivery log, newest first in _id keyset pages.
    { key: { orgId: 1, endpointId: 1, _id: -1 }, name: "org_endpoint_id" },
    // Atlas deletes log entries after 30 days; no local engine deletes by TTL, so the retention job does too.
    { key: { createdAt: 1 }, name: "created_ttl", expireAfterSeconds: 30 * 24 * 3600 },
    // The retention job's sweep, oldest first per organization.
    { key: { orgId: 1, createdAt: 1 }, name: "org_created" },
  ],
  tickets: [
    // Found by its number (search, the public API); the unique key also refuses a reused number.
    { key: { orgId: 1, number: 1 }, name: "org_number_unique", unique: true },
    // The tickets list: every view is a set of statuses, most recently changed first (keyset);
    // assignee, priority and category narrow it further as residual filters.
    { key: { orgId: 1, status: 1, updatedAt: -1, _id: -1 }, name: "org_status_updated" },
    // A contact's tickets (its page, its timeline, a merge).
    { key: { orgId: 1, contactId: 1, createdAt: -1 }, name: "org_contact_created" },
    // A conversation's tickets (the inbox contact panel).
    { key: { orgId: 1, conversationId: 1, createdAt: -1 }, name: "org_conversation_created" },
  ],
  ticket_notes: [{ key: { orgId: 1, ticketId: 1, createdAt: 1 }, name: "org_ticket_created" }],
  counters: [{ key: { orgId: 1, name: 1 }, name: "org_name_unique", unique: true }],
  // Read by _id only.
  platform_state: [],
};

export type IndexReport = { collection: string; name: string; unique: boolean; action: "created" | "exists" | "replaced" | "dropped" }[];

const sameSpec = (existing: Document, declared: IndexDescription) =>
  JSON.stringify(existing.key) === JSON.stringify(declared.key) && !!existing.unique === !!declared.unique && !!existing.sparse === !!declared.sparse;

/**
 * Drops an existing index by its key pattern: mongo-java-server's drop by name also drops the
 * indexes of that name on every other collection of the database. An index another run dropped
 * first (IndexNotFound) is as good as dropped.
 */
async function dropIndex(col: Collection, existing: Document) {
  await getDb().command({ dropIndexes: col.collectionName, index: existing.key }).catch((err: { code?: number }) => {
    if (err.code !== 27) throw err;
  });
}

/**
 * Makes each declared collection's indexes exactly the declared ones: creates the missing ones,
 * rebuilds one whose spec changed under the same name, then drops the ones no longer declared
 * (never `_id_`). Idempotent: a second run reports every index as "exists" and drops nothing.
 */
export async function ensureIndexes(): Promise<IndexReport> {
  const db = getDb();
  const report: IndexReport = [];
  for (const [collection, specs] of Object.entries(indexes)) {
    const col = db.collection(collection);
    const existing = new Map((await col.listIndexes().toArray().catch(() => [])).map((i) => [i.name as string, i]));
    const changed = specs.filter((s) => existing.has(s.name!) && !sameSpec(existing.get(s.name!)!, s));
    for (const s of changed) await dropIndex(col, existing.get(s.name!)!);
    const missing = specs.filter((s) => !existing.has(s.name!) || changed.includes(s));
    if (missing.length) await col.createIndexes(missing);
    for (const s of specs) {
      report.push({ collection, name: s.name!, unique: !!s.unique, action: changed.includes(s) ? "replaced" : existing.has(s.name!) ? "exists" : "created" });
    }
    const declared = new Set(specs.map((s) => s.name));
    for (const [name, i] of existing) {
      if (name === "_id_" || declared.has(name)) continue;
      await dropIndex(col, i);
      report.push({ collection, name, unique: !!i.unique, action: "dropped" });
    }
  }
  return report;
}
