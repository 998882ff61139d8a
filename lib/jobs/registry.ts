import { aiAnalyzeJob } from "@/lib/ai/ai-analyze-job";
import { aiReplyJob } from "@/lib/ai/ai-reply-job";
import type { Job } from "./define-job";
import { retentionJob } from "./retention";
import { mediaDownloadJob } from "@/lib/whatsapp/media-download-job";
import { conversationAssignJob } from "@/lib/inbox/assign-job";
import { wakeSnoozedJob } from "@/lib/inbox/wake-snoozed-job";
import { consentConfirmationJob } from "@/lib/webhook/consent-confirmation-job";

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
} satisfies Record<string, Job>;

export type JobName = keyof typeof jobs;

export function getJob(name: string): Job | undefined {
  return (jobs as Record<string, Job>)[name];
}
