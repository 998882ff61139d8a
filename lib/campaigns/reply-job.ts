import { ObjectId } from "mongodb";
import { z } from "zod";
import { defineJob } from "@/lib/jobs/define-job";
import { idString } from "@/lib/schemas/common";
import { onCustomerMessage } from "./outcomes";

/**
 * `campaign-reply`: the customer wrote after a campaign message (the webhook saw the contact's
 * `lastCampaign` hint): counts the reply and sends a message held back by 131049. Off the webhook's
 * path, so a campaign costs the inbound message no extra database round trip.
 */
export const campaignReplyJob = defineJob({
  name: "campaign-reply",
  schema: z.object({ orgId: idString, recipientId: idString, at: z.iso.datetime() }),
  async handle(p) {
    await onCustomerMessage(new ObjectId(p.orgId), new ObjectId(p.recipientId), new Date(p.at));
    return { ok: true };
  },
});
