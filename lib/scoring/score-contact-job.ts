import { ObjectId } from "mongodb";
import { z } from "zod";
import { scoped } from "@/lib/db/scoped";
import { defineJob } from "@/lib/jobs/define-job";
import { enqueue } from "@/lib/jobs/enqueue";
import { getSettings } from "@/lib/settings/settings";
import { scoringContactProjection, type ScoringContact } from "./inputs";
import { rescoreContacts } from "./rescore";

const hexId = z.string().regex(/^[a-f\d]{24}$/i);

/** A burst of messages from one customer is scored once, this long after the first of them. */
export const RESCORE_DEBOUNCE_SECONDS = 60;

/**
 * `lead-score`: recomputes one contact's score after an event (an inbound message). Idempotent:
 * it recomputes from the stored events, so a second delivery writes the same score.
 */
export const leadScoreJob = defineJob({
  name: "lead-score",
  schema: z.object({ orgId: hexId, contactId: hexId }),
  retries: 3,
  concurrency: 2,
  async handle({ orgId, contactId }) {
    const org = new ObjectId(orgId);
    const [contact, settings] = await Promise.all([
      scoped(org)("contacts").findOne({ _id: new ObjectId(contactId) }, { projection: scoringContactProjection }),
      getSettings(org),
    ]);
    if (!contact) return { skipped: "contact not found" };
    return rescoreContacts(org, [contact as ScoringContact], settings.leadScoring);
  },
});

/**
 * Debounced: the deduplication id names the contact and the minute, so every message of a burst
 * within that minute enqueues one run, delivered a minute later when the burst is stored. The
 * webhook path gains no database operation: this is a publish, not a write.
 */
export function scheduleLeadScore(orgId: ObjectId, contactId: ObjectId, at = new Date()) {
  const org = orgId.toHexString();
  const contact = contactId.toHexString();
  const minute = Math.floor(at.getTime() / 60_000);
  return enqueue("lead-score", { orgId: org, contactId: contact }, { delaySeconds: RESCORE_DEBOUNCE_SECONDS, deduplicationId: `lead-score-${org}-${contact}-${minute}` });
}
