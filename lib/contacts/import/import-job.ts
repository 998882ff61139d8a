import { ObjectId } from "mongodb";
import { z } from "zod";
import { defineJob, PermanentJobError } from "@/lib/jobs/define-job";
import { log } from "@/lib/log";
import { idString } from "@/lib/schemas/common";
import { failImport, runImport } from "./run-import";

export const contactImportPayload = z.object({
  orgId: idString,
  importId: idString,
  /** Work per run before re-enqueuing; the default suits a serverless function (tests pass less). */
  budgetMs: z.number().int().min(1).max(60_000).optional(),
});

const RETRIES = 5;

/**
 * `contact-import`: imports an uploaded CSV from its cursor for up to the time budget, then
 * re-enqueues itself (keyed by the cursor, so a redelivered run enqueues the next one once).
 * A permanent error, or the last retry failing, marks the import failed with the reason.
 */
export const contactImportJob = defineJob({
  name: "contact-import",
  schema: contactImportPayload,
  retries: RETRIES,
  concurrency: 2,
  async handle(p, ctx) {
    const orgId = new ObjectId(p.orgId);
    const importId = new ObjectId(p.importId);
    try {
      const result = await runImport(orgId, importId, { budgetMs: p.budgetMs });
      if (result.status === "paused") {
        await ctx.enqueue("contact-import", p, { deduplicationId: `contact-import:${p.importId}:${result.cursor}` });
      }
      return result;
    } catch (err) {
      if (err instanceof PermanentJobError) await failImport(orgId, importId, err.message);
      else if (ctx.attempt > RETRIES) {
        log.error("contact_import.failed", { orgId: p.orgId, importId: p.importId, err });
        await failImport(orgId, importId, "The import stopped after repeated errors; the rows before it stopped are imported");
      }
      throw err;
    }
  },
});
