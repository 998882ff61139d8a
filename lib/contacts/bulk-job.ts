import { ObjectId } from "mongodb";
import { z } from "zod";
import { defineJob } from "@/lib/jobs/define-job";
import { scoped } from "@/lib/db/scoped";
import { idString } from "@/lib/schemas/common";
import { runBulkAction } from "./bulk";

export const contactsBulkPayload = z.object({ orgId: idString, bulkActionId: idString });

/**
 * `contacts-bulk`: works through a bulk action in batches for ~20 s, then enqueues itself for the
 * rest (keyed by the cursor, so a redelivery does not fork the work). The last failed delivery
 * marks the action failed with the reason, for the person watching its progress bar.
 */
export const contactsBulkJob = defineJob({
  name: "contacts-bulk",
  schema: contactsBulkPayload,
  concurrency: 2,
  async handle(p, ctx) {
    const orgId = new ObjectId(p.orgId);
    const id = new ObjectId(p.bulkActionId);
    try {
      const { status, cursor } = await runBulkAction(orgId, id);
      if (status === "continues") await ctx.enqueue("contacts-bulk", p, { deduplicationId: `contacts-bulk-${p.bulkActionId}-${cursor}` });
      return { outcome: status };
    } catch (err) {
      if (ctx.attempt > contactsBulkJob.retries) {
        await scoped(orgId)("contact_bulk_actions").updateOne({ _id: id }, { $set: { status: "failed", error: (err as Error).message, updatedAt: new Date() } });
      }
      throw err;
    }
  },
});
