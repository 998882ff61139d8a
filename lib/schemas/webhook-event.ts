import { z } from "zod";
import { objectId } from "./common";

/** A raw webhook envelope as received, kept for the retention period so any ingestion can be replayed. */
export const webhookEventDoc = z.object({
  _id: objectId,
  /**
   * The organization whose numbers the envelope names, resolved before processing. Null when none
   * (unknown number, invalid JSON) or several do: such envelopes are shown to no organization.
   */
  orgId: objectId.nullable(),
  source: z.literal("whatsapp"),
  /** sha256 of the raw body: Meta's retries of the same POST map to the same event. */
  bodyHash: z.string(),
  rawBody: z.string(),
  receivedAt: z.date(),
  outcome: z.enum(["processed", "unprocessed", "invalid_json", "failed"]),
  reason: z.string().nullable(),
  counts: z.object({ messages: z.number().int(), statuses: z.number().int(), other: z.number().int() }),
  attempts: z.number().int(),
  lastProcessedAt: z.date().nullable(),
});
export type WebhookEventDoc = z.infer<typeof webhookEventDoc>;
