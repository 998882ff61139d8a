import { aiAnalyzeJob } from "@/lib/ai/ai-analyze-job";
import { aiReplyJob } from "@/lib/ai/ai-reply-job";
import type { z } from "zod";
import type { Job } from "./define-job";
import { retentionJob } from "./retention";
import { mediaDownloadJob } from "@/lib/whatsapp/media-download-job";
import { conversationAssignJob } from "@/lib/inbox/assign-job";
import { wakeSnoozedJob } from "@/lib/inbox/wake-snoozed-job";
import { consentConfirmationJob } from "@/lib/webhook/consent-confirmation-job";
import { contactImportJob } from "@/lib/contacts/import/import-job";
import { contactsBulkJob } from "@/lib/contacts/bulk-job";
import { campaignRetryJob, campaignSendJob } from "@/lib/campaigns/send-job";
import { campaignDispatchJob, campaignPrepareJob } from "@/lib/campaigns/prepare-job";
import { campaignWinnerJob } from "@/lib/campaigns/winner-job";
import { campaignsTickJob } from "@/lib/campaigns/tick-job";
import { campaignReplyJob } from "@/lib/campaigns/reply-job";
import { templatesReconcileJob } from "@/lib/templates/reconcile-job";
import { leadScoreJob } from "@/lib/scoring/score-contact-job";
import { leadScoringNightlyJob } from "@/lib/scoring/nightly-job";
import { automationEventJob, automationResumeJob } from "@/lib/automation/jobs";
import { automationScheduleJob, automationsTickJob } from "@/lib/automation/schedule";
import { webhookFanoutJob } from "@/lib/outbound-webhooks/fanout-job";
import { webhookDeliverJob } from "@/lib/outbound-webhooks/deliver-job";

/**
 * Every job, by name. A job lives in its own file under lib/jobs/ (or next to its domain) and is
 * added here; the job route, the drivers and `npm run schedules:sync` know jobs only through this map.
 */
export const jobs = {
  retention: retentionJob,
  "conversation-assign": conversationAssignJob,
  "wake-snoozed": wakeSnoozedJob,
  "media-download": mediaDownloadJob,
  "ai-reply": aiReplyJob,
  "ai-analyze": aiAnalyzeJob,
  "consent-confirmation": consentConfirmationJob,
  "contact-import": contactImportJob,
  "contacts-bulk": contactsBulkJob,
  "campaign-send": campaignSendJob,
  "campaign-retry": campaignRetryJob,
  "campaign-prepare": campaignPrepareJob,
  "campaign-dispatch": campaignDispatchJob,
  "campaign-winner": campaignWinnerJob,
  "campaigns-tick": campaignsTickJob,
  "campaign-reply": campaignReplyJob,
  "templates-reconcile": templatesReconcileJob,
  "lead-score": leadScoreJob,
  "lead-scoring-nightly": leadScoringNightlyJob,
  "automation-event": automationEventJob,
  "automation-resume": automationResumeJob,
  "automations-tick": automationsTickJob,
  "automation-schedule": automationScheduleJob,
  "webhook-fanout": webhookFanoutJob,
  "webhook-deliver": webhookDeliverJob,
} satisfies Record<string, Job>;

export type JobName = keyof typeof jobs;
/** What `enqueue(name, payload)` accepts for a job: its schema's input, so a wrong payload is a compile error. */
export type JobPayload<N extends JobName> = z.input<(typeof jobs)[N]["schema"]>;

/**
 * The registry as the drivers and the runner receive it. They take it as an argument instead of
 * importing this file: every job handler imports `enqueue`, so a static import back to here from
 * the job plumbing would close an import circle through every domain that defines a job.
 */
export type JobRegistry = { get(name: string): Job | undefined };

export const jobRegistry: JobRegistry = { get: (name) => (jobs as Record<string, Job>)[name] };
