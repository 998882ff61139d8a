import { ObjectId } from "mongodb";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { defineJob, PermanentJobError } from "@/lib/jobs/define-job";
import { idString } from "@/lib/schemas/common";
import { GraphApiError } from "@/lib/whatsapp/graph-error";
import { syncTemplates } from "@/lib/whatsapp/templates";

export const templatesReconcilePayload = z.object({ orgId: idString, accountId: idString });

/**
 * `templates-reconcile`: the "Sync templates" pull (lib/whatsapp/templates.ts) as a job, so a
 * template whose review webhook never arrived (frappe_whatsapp #103: stuck PENDING) or whose
 * status changed while the app was down is corrected from Meta's own list. Idempotent: the sync
 * upserts by key. A missing account or WABA id is final; Meta unreachable or throttled is retried.
 */
export const templatesReconcileJob = defineJob({
  name: "templates-reconcile",
  schema: templatesReconcilePayload,
  retries: 3,
  // Meta allows 200 management calls per hour per WABA: one account at a time is plenty.
  concurrency: 1,
  async handle(p) {
    try {
      return await syncTemplates(new ObjectId(p.orgId), new ObjectId(p.accountId));
    } catch (err) {
      if (err instanceof ApiError) throw new PermanentJobError(err.message);
      if (err instanceof GraphApiError && err.kind === "not_configured") throw new PermanentJobError(err.message);
      throw err;
    }
  },
});
