import { ObjectId } from "mongodb";
import { isDuplicateKeyError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import { enqueue } from "@/lib/jobs/enqueue";
import { log } from "@/lib/log";
import type { AutomationEvent, AutomationRunDoc, StepTrace, TriggerDoc } from "@/lib/schemas/automation";
import { runAction } from "./actions";
import { asAutomation } from "./emit";
import { branchPath, nextPath, stepAt } from "./steps";

/**
 * Durable execution of a trigger's steps on the job system. The run's `cursor` is the step to run
 * next; every move of it is one conditional update (`cursor` and `status` in the filter), so two
 * deliveries of a job, a reply racing its timeout, or a late delivery after the run moved on, let
 * exactly one continue. Waits are job delays: a run waiting three days is a delayed job, which
 * survives deploys and restarts.
 */

const MINUTE = 60_000;

/** The run of this trigger for this event: created once however often the event is delivered. */
export async function startRun(orgId: ObjectId, trigger: TriggerDoc, event: AutomationEvent, eventKey: string, day: string): Promise<AutomationRunDoc | null> {
  const db = scoped(orgId);
  const now = new Date();
  const run: Omit<AutomationRunDoc, "orgId"> = {
    _id: new ObjectId(),
    eventKey: `${trigger._id.toHexString()}:${eventKey}`,
    triggerId: trigger._id,
    triggerName: trigger.name,
    version: trigger.version,
    steps: trigger.steps,
    contactId: new ObjectId(event.contactId),
    conversationId: event.conversationId ? new ObjectId(event.conversationId) : null,
    event,
    status: "running",
    cursor: trigger.steps.length ? "0" : null,
    waiting: null,
    trace: [],
    error: null,
    startedAt: now,
    completedAt: null,
    durationMs: null,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await db("automation_runs").insertOne(run);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    // A redelivered event: its run exists (and may be mid-way after a crash).
    return db("automation_runs").findOne({ eventKey: run.eventKey });
  }
  // Loop protection: at most N runs per contact per day. The run above is the claim, so a redelivery does not count twice.
  const quota = await db("automation_quotas").findOneAndUpdate(
    { triggerId: trigger._id, contactId: run.contactId, day },
    { $inc: { count: 1 }, $setOnInsert: { _id: new ObjectId(), expiresAt: new Date(now.getTime() + 2 * 24 * 60 * MINUTE) } },
    { upsert: true, returnDocument: "after" },
  );
  if ((quota?.count ?? 1) > trigger.maxRunsPerContactPerDay) {
    const detail = `Not run: this trigger already ran ${trigger.maxRunsPerContactPerDay} time(s) for this contact today (loop protection)`;
    await finish(orgId, { ...run, orgId } as AutomationRunDoc, "completed", null, [{ path: "-", kind: "loop_protection", status: "skipped", detail, at: now, durationMs: 0 }]);
    return null;
  }
  await db("triggers").updateOne({ _id: trigger._id }, { $inc: { executionCount: 1 }, $set: { lastRunAt: now } });
  return { ...run, orgId } as AutomationRunDoc;
}

async function finish(orgId: ObjectId, run: AutomationRunDoc, status: "completed" | "failed", error: string | null, trace: StepTrace[] = []) {
  const now = new Date();
  const res = await scoped(orgId)("automation_runs").updateOne(
    { _id: run._id, status: { $in: ["running", "waiting"] } },
    { $set: { status, cursor: null, waiting: null, error, completedAt: now, durationMs: now.getTime() - run.startedAt.getTime(), updatedAt: now }, ...(trace.length ? { $push: { trace: { $each: trace } } } : {}) },
  );
  if (res.modifiedCount && trace[0]?.kind !== "loop_protection") {
    await scoped(orgId)("triggers").updateOne({ _id: run.triggerId }, { $inc: status === "completed" ? { successCount: 1 } : { failureCount: 1 } });
  }
}

/**
 * A count-in-a-period trigger fires once per period for a contact: claimed with one upsert whose
 * filter accepts only an expired claim, so two events of the same burst cannot both fire it (the
 * loser's insert hits the unique key). The claim names its event, so that event delivered again
 * (a retry after a crash) still holds it and finds its run.
 */
export async function claimPeriod(orgId: ObjectId, triggerId: ObjectId, contactId: ObjectId, hours: number, holder: string): Promise<boolean> {
  const now = new Date();
  const quotas = scoped(orgId)("automation_quotas");
  try {
    await quotas.updateOne(
      { triggerId, contactId, day: "period", expiresAt: { $lt: now } },
      { $set: { expiresAt: new Date(now.getTime() + hours * 3600_000), count: 1, holder }, $setOnInsert: { _id: new ObjectId() } },
      { upsert: true },
    );
    return true;
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    return (await quotas.findOne({ triggerId, contactId, day: "period" }, { projection: { holder: 1 } }))?.holder === holder;
  }
}

/**
 * Runs steps from the cursor until the run waits or ends. A failing action is recorded on the run
 * and thrown, so the job retries it (its effect is idempotent by run and path); on the last
 * delivery (`final`) the run is marked failed instead.
 */
export async function advance(orgId: ObjectId, runId: ObjectId, opts: { final: boolean }): Promise<AutomationRunDoc | null> {
  const runs = scoped(orgId)("automation_runs");
  let run = await runs.findOne({ _id: runId });
  while (run && run.status === "running") {
    const path = run.cursor;
    const step = stepAt(run.steps, path);
    if (!path || !step) {
      await finish(orgId, run, "completed", null);
      return runs.findOne({ _id: runId });
    }
    const started = Date.now();
    if (step.kind === "wait" || step.kind === "wait_for_reply") {
      const until = new Date(started + step.minutes * MINUTE);
      const kind = step.kind === "wait" ? "delay" : "reply";
      const moved = await runs.updateOne(
        { _id: run._id, cursor: path, status: "running" },
        { $set: { status: "waiting", waiting: { kind, since: new Date(started), until }, updatedAt: new Date() } },
      );
      if (moved.modifiedCount === 0) return runs.findOne({ _id: runId });
      await enqueue(
        "automation-resume",
        { orgId: orgId.toHexString(), runId: runId.toHexString(), path, outcome: kind === "delay" ? "delay" : "timeout" },
        { delaySeconds: step.minutes * 60, deduplicationId: `automation-resume-${runId.toHexString()}-${path}` },
      );
      return runs.findOne({ _id: runId });
    }
    let trace: StepTrace;
    try {
      const outcome = await asAutomation({ triggerId: run.triggerId.toHexString(), runId: runId.toHexString() }, () => runAction(orgId, run!, path, step));
      trace = { path, kind: step.kind, status: outcome.status, detail: outcome.detail, at: new Date(), durationMs: Date.now() - started };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const failed: StepTrace = { path, kind: step.kind, status: "failed", detail: opts.final ? message : `${message} (will retry)`, at: new Date(), durationMs: Date.now() - started };
      if (opts.final) await finish(orgId, run, "failed", `Step ${path} (${step.kind}): ${message}`, [failed]);
      else await runs.updateOne({ _id: run._id, cursor: path }, { $push: { trace: failed }, $set: { updatedAt: new Date() } });
      log.warn("automation.step_failed", { orgId: orgId.toHexString(), runId: runId.toHexString(), path, error: message });
      if (opts.final) return runs.findOne({ _id: runId });
      throw err;
    }
    if (trace.status === "failed") {
      await finish(orgId, run, "failed", `Step ${path} (${step.kind}): ${trace.detail}`, [trace]);
      return runs.findOne({ _id: runId });
    }
    const next = nextPath(run.steps, path);
    run = await runs.findOneAndUpdate(
      { _id: run._id, cursor: path, status: "running" },
      { $set: { cursor: next, updatedAt: new Date() }, $push: { trace } },
      { returnDocument: "after" },
    );
  }
  return run;
}

/**
 * A wait ends: its delay passed, its reply came, or its timeout passed. Only the first outcome for
 * that wait moves the run (the filter holds the cursor and the waiting state); the others are late.
 */
export async function resume(orgId: ObjectId, runId: ObjectId, path: string, outcome: "delay" | "replied" | "timeout"): Promise<boolean> {
  const runs = scoped(orgId)("automation_runs");
  const run = await runs.findOne({ _id: runId }, { projection: { steps: 1, waiting: 1 } });
  if (!run) return false;
  const next = outcome === "delay" ? nextPath(run.steps, path) : branchPath(run.steps, path, outcome);
  const kind = outcome === "delay" ? "delay" : "reply";
  const since = run.waiting?.since ?? new Date();
  const waited = Math.round((Date.now() - since.getTime()) / MINUTE);
  const detail = outcome === "delay" ? `Waited ${waited} min` : outcome === "replied" ? `The customer replied after ${waited} min` : `No reply within the timeout`;
  const moved = await runs.updateOne(
    { _id: runId, cursor: path, status: "waiting", "waiting.kind": kind },
    {
      $set: { status: "running", cursor: next, waiting: null, updatedAt: new Date() },
      $push: { trace: { path, kind: outcome === "delay" ? "wait" : "wait_for_reply", status: "done", detail, at: new Date(), durationMs: Date.now() - since.getTime() } },
    },
  );
  return moved.modifiedCount > 0;
}

/** A customer wrote: their runs waiting for a reply take the "replied" branch. */
export async function resumeOnReply(orgId: ObjectId, contactId: ObjectId): Promise<ObjectId[]> {
  const waiting = await scoped(orgId)("automation_runs")
    .find({ contactId, status: "waiting", "waiting.kind": "reply" }, { projection: { cursor: 1 } })
    .toArray();
  const resumed: ObjectId[] = [];
  for (const r of waiting) if (r.cursor && (await resume(orgId, r._id, r.cursor, "replied"))) resumed.push(r._id);
  return resumed;
}
