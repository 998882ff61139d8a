import { ObjectId } from "mongodb";
import { ZodError } from "zod";
import { rawCollection } from "@/lib/db/collections";
import { withCommandScope } from "@/lib/db/command-log";
import { log } from "@/lib/log";
import { PermanentJobError } from "./define-job";
import { enqueue } from "./enqueue";
import type { JobRegistry } from "./registry";

export type RunOutcome =
  /** Done: answer 2xx. */
  | { status: "completed" }
  /** Will never succeed (unknown job, bad payload, PermanentJobError): answer 2xx so it is not retried. */
  | { status: "failed"; error: string }
  /** Transient: answer 5xx so the driver retries; `final` when no retries are left. */
  | { status: "retry"; error: string; final: boolean };

/**
 * Runs one delivery of a job, whatever driver delivered it, and records it in workflow_executions
 * (one document per delivery id, updated on each attempt).
 */
export function runJob(registry: JobRegistry, name: string, payload: unknown, delivery: { messageId: string; attempt: number }): Promise<RunOutcome> {
  return withCommandScope(`job:${name}`, () => runDelivery(registry, name, payload, delivery));
}

async function runDelivery(registry: JobRegistry, name: string, payload: unknown, delivery: { messageId: string; attempt: number }): Promise<RunOutcome> {
  const started = Date.now();
  const executions = rawCollection("workflow_executions");
  const job = registry.get(name);
  const orgId = extractOrgId(payload);
  // One upsert per state change on the unique delivery id: the first attempt creates the record, later ones and redeliveries update it.
  const record = async (status: "running" | "completed" | "failed" | "retrying" | "dead", error: string | null) => {
    const now = new Date();
    const done = status !== "running";
    const state = { status, attempts: delivery.attempt, error, durationMs: done ? now.getTime() - started : null, completedAt: done ? now : null };
    await executions.updateOne(
      { messageId: delivery.messageId },
      { $set: state, $setOnInsert: { _id: new ObjectId(), orgId, job: name, payload: asRecord(payload), startedAt: now, retriedAs: null } },
      { upsert: true },
    );
  };

  if (!job) {
    await record("failed", `Unknown job "${name}"`);
    return { status: "failed", error: `Unknown job "${name}"` };
  }
  const parsed = job.schema.safeParse(payload);
  if (!parsed.success) {
    const error = `Invalid payload: ${parsed.error.issues[0]?.path.join(".")} ${parsed.error.issues[0]?.message}`;
    await record("failed", error);
    return { status: "failed", error };
  }
  // QStash delivers at least once: a redelivery of a message that already completed is a no-op.
  if ((await executions.findOne({ messageId: delivery.messageId }, { projection: { status: 1 } }))?.status === "completed") {
    return { status: "completed" };
  }
  await record("running", null);
  try {
    await job.handle(parsed.data, { ...delivery, enqueue });
    await record("completed", null);
    return { status: "completed" };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    if (err instanceof PermanentJobError || err instanceof ZodError) {
      await record("failed", error);
      log.warn("job.failed", { job: name, messageId: delivery.messageId, error });
      return { status: "failed", error };
    }
    const final = delivery.attempt > job.retries;
    await record(final ? "dead" : "retrying", error);
    log.error(final ? "job.dead" : "job.retrying", { job: name, messageId: delivery.messageId, attempt: delivery.attempt, err });
    return { status: "retry", error, final };
  }
}

function asRecord(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
}

function extractOrgId(payload: unknown): ObjectId | null {
  const id = (payload as { orgId?: unknown } | null)?.orgId;
  return typeof id === "string" && ObjectId.isValid(id) ? new ObjectId(id) : null;
}
