import type { Collection, Db } from "mongodb";
import { getDb } from "./client";
import type { ActivityLogDoc } from "@/lib/schemas/activity-log";
import type { CustomerJourneyDoc } from "@/lib/schemas/journey";
import type { AiAgentDoc, AiReplyClaimDoc, AiRunDoc, ConversationAnalyticsDoc, KnowledgeArticleDoc } from "@/lib/schemas/ai";
import type { LeadScoreDoc } from "@/lib/schemas/lead-score";
import type { AutomationQuotaDoc, AutomationRunDoc, TriggerDoc, WorkflowExecutionDoc } from "@/lib/schemas/automation";
import type { ConsentEventDoc, ContactDoc, ContactListDoc, ContactNoteDoc, ContactTagDoc, SuppressionDoc } from "@/lib/schemas/contact";
import type { ContactBulkActionDoc } from "@/lib/schemas/contact-bulk";
import type { ContactMergeDoc } from "@/lib/schemas/contact-merge";
import type { ContactImportDoc } from "@/lib/schemas/contact-import";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import type { CustomFieldDefinitionDoc } from "@/lib/schemas/custom-field";
import type { SegmentDoc } from "@/lib/schemas/segment";
import type { CampaignDoc, CampaignRecipientDoc } from "@/lib/schemas/campaign";
import type { MessageDoc, OrphanStatusDoc } from "@/lib/schemas/message";
import type { OrganizationDoc } from "@/lib/schemas/organization";
import type { ApiIdempotencyDoc, ApiKeyDoc, ApiRateWindowDoc, LoginThrottleDoc, PlatformStateDoc, WebhookEndpointDoc } from "@/lib/schemas/platform";
import type { CounterDoc, TicketDoc, TicketNoteDoc } from "@/lib/schemas/ticket";
import type { SettingsDoc } from "@/lib/schemas/settings";
import type { CannedResponseDoc, TemplateDoc } from "@/lib/schemas/template";
import type { UserDoc } from "@/lib/schemas/user";
import type { WebhookEventDoc } from "@/lib/schemas/webhook-event";
import type { WebhookDeliveryDoc } from "@/lib/schemas/outbound-webhook";
import type { WhatsappAccountDoc } from "@/lib/schemas/whatsapp-account";

/** Every collection, by name, with its document type. Tenant-owned ones carry `orgId`. */
export type Docs = {
  organizations: OrganizationDoc;
  users: UserDoc;
  settings: SettingsDoc;
  activity_logs: ActivityLogDoc;
  login_throttles: LoginThrottleDoc;
  whatsapp_accounts: WhatsappAccountDoc;
  contacts: ContactDoc;
  consent_events: ConsentEventDoc;
  contact_imports: ContactImportDoc;
  segments: SegmentDoc;
  contact_lists: ContactListDoc;
  suppressions: SuppressionDoc;
  contact_tags: ContactTagDoc;
  contact_merges: ContactMergeDoc;
  contact_notes: ContactNoteDoc;
  custom_field_definitions: CustomFieldDefinitionDoc;
  contact_bulk_actions: ContactBulkActionDoc;
  conversations: ConversationDoc;
  messages: MessageDoc;
  orphan_statuses: OrphanStatusDoc;
  webhook_events: WebhookEventDoc;
  whatsapp_templates: TemplateDoc;
  canned_responses: CannedResponseDoc;
  ai_agents: AiAgentDoc;
  ai_runs: AiRunDoc;
  ai_reply_claims: AiReplyClaimDoc;
  conversation_analytics: ConversationAnalyticsDoc;
  knowledge_articles: KnowledgeArticleDoc;
  lead_scores: LeadScoreDoc;
  customer_journeys: CustomerJourneyDoc;
  campaigns: CampaignDoc;
  campaign_recipients: CampaignRecipientDoc;
  triggers: TriggerDoc;
  automation_runs: AutomationRunDoc;
  automation_quotas: AutomationQuotaDoc;
  workflow_executions: WorkflowExecutionDoc;
  api_keys: ApiKeyDoc;
  api_rate_windows: ApiRateWindowDoc;
  api_idempotency_keys: ApiIdempotencyDoc;
  webhook_endpoints: WebhookEndpointDoc;
  webhook_deliveries: WebhookDeliveryDoc;
  tickets: TicketDoc;
  ticket_notes: TicketNoteDoc;
  counters: CounterDoc;
  platform_state: PlatformStateDoc;
};
export type CollectionName = keyof Docs;

/** Collections that are not owned by one organization; everything else goes through `scoped()`. */
export const globalCollections = ["organizations", "login_throttles", "platform_state"] as const satisfies readonly CollectionName[];

/**
 * Unscoped access. Use it only where no organization is known yet (sign-in by email, mapping a
 * webhook's phone number id to its account, scripts); request code uses `scoped(orgId)`.
 */
export function rawCollection<K extends CollectionName>(name: K): Collection<Docs[K]> {
  const db = getDb();
  // One Collection object per database handle and name, like the handle itself (see getDb).
  let byName = collectionsOf.get(db);
  if (!byName) collectionsOf.set(db, (byName = new Map()));
  let col = byName.get(name);
  if (!col) byName.set(name, (col = db.collection(name)));
  return col as unknown as Collection<Docs[K]>;
}

const collectionsOf = new WeakMap<Db, Map<string, Collection>>();
