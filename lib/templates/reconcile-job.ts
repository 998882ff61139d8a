import { ObjectId } from "mongodb";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { defineJob, PermanentJobError } from "@/lib/jobs/define-job";
import { idString } from "@/lib/schemas/common";
import { GraphApiError } from "@/lib/whatsapp/graph-error";
import { syncTemplates } from "@/lib/whatsapp/templates";

/** One account, or (the hourly schedule's empty payload) every account of every organization. */
export const templatesReconcilePayload = z.union([z.object({ orgId: idString, accountId: idString }), z.strictObject({})]);

/**
 * `templates-reconcile`: the "Sync templates" pull (lib/whatsapp/templates.ts) as a job, so a
 * template whose review webhook never arrived (frappe_whatsapp #103: stuck PENDING) or whose
 * status changed while the app was down is corrected from Meta's own list. Idempotent: the sync
 * upserts by key. A missing account or WABA id is final; Meta unreachable or throttled is retried.
 * Scheduled hourly (lib/jobs/schedules.ts) with an empty payload, which enqueues one run per account.
 */
export const templatesReconcileJob = defineJob({
  name: "templates-reconcile",
  schema: templatesReconcilePayload,
  retries: 3,
  // Meta allows 200 management calls per hour per WABA: one account at a time is plenty.
  concurrency: 1,
  async handle(p, ctx) {
    if (!("orgId" in p)) {
      // The schedule fans out: one delivery per account, so one slow or failing WABA does not hold the rest.
      const hour = new Date().toISOString().slice(0, 13);
      let accounts = 0;
      for await (const org of rawCollection("organizations").find({}, { projection: { _id: 1 }, sort: { _id: 1 } })) {
        for (const a of await scoped(org._id)("whatsapp_accounts").find({}, { projection: { _id: 1 } }).toArray()) {
          accounts++;
          const payload = { orgId: org._id.toHexString(), accountId: a._id.toHexString() };
          await ctx.enqueue("templates-reconcile", payload, { deduplicationId: `templates-reconcile-${payload.accountId}-${hour}` });
        }
      }
      return { accounts };
    }
    try {
      return await syncTemplates(new ObjectId(p.orgId), new ObjectId(p.accountId));
    } catch (err) {
      if (err instanceof ApiError) throw new PermanentJobError(err.message);
      if (err instanceof GraphApiError && err.kind === "not_configured") throw new PermanentJobError(err.message);
      throw err;
    }
  },
});
