import { ObjectId } from "mongodb";
import { z } from "zod";
import { defineJob } from "@/lib/jobs/define-job";
import { sendMessage } from "@/lib/messaging/send-message";
import { idString } from "@/lib/schemas/common";
import { consentSettings } from "./consent";

export const consentConfirmationPayload = z.object({
  orgId: idString,
  conversationId: idString,
  waMessageId: z.string().min(1),
  change: z.enum(["opted_out", "opted_in"]),
});

/**
 * `consent-confirmation`: tells the customer their STOP (or START) was understood. Sent even to an
 * opted-out contact (bypassConsent: it is the answer to their own message), and keyed by the
 * inbound wamid, so a redelivered job or webhook never sends it twice.
 */
export const consentConfirmationJob = defineJob({
  name: "consent-confirmation",
  schema: consentConfirmationPayload,
  retries: 5,
  async handle(p) {
    const orgId = new ObjectId(p.orgId);
    const settings = await consentSettings(orgId);
    await sendMessage(orgId, {
      conversationId: new ObjectId(p.conversationId),
      sender: "system",
      idempotencyKey: `consent:${p.waMessageId}`,
      content: { type: "text", text: p.change === "opted_out" ? settings.optOutConfirmation : settings.optInConfirmation },
      bypassConsent: true,
    });
  },
});
