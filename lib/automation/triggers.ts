import { ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { can, type Permission } from "@/lib/auth/permissions";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { validateCustomFields } from "@/lib/contacts/custom-fields";
import { contactLabel } from "@/lib/contacts/contacts";
import { scoped } from "@/lib/db/scoped";
import { contextFields, triggerInput, type Step, type TriggerDefinition, type TriggerDoc, type TriggerInput } from "@/lib/schemas/automation";
import type { Role } from "@/lib/schemas/common";
import { compileConditions, segmentIdsOf, type SegmentLookup } from "./conditions";
import { compileTrigger, type CompiledTrigger } from "./evaluate";
import { forgetBehaviorListeners } from "./emit";
import { cronProblem, nextRunFor } from "./schedule";
import { allSteps } from "./steps";

/** Saving a trigger: the definition is checked whole, so a trigger that cannot run is never stored. */

/** What an action needs of the person who sets it up (an automation acts with its maker's reach). */
function permissionFor(step: Step): Permission | null {
  switch (step.kind) {
    case "send_message":
      // Free text is an inbox reply; a template-only send is what marketers do in campaigns.
      return step.text ? "write:messages" : "manage:campaigns";
    case "assign":
    case "set_status":
    case "set_priority":
      return "assign:conversations";
    case "create_ticket":
      return "manage:tickets";
    case "call_webhook":
      return "system:admin";
    case "run_agent":
      return "write:messages";
    case "add_tags":
    case "remove_tags":
    case "set_field":
    case "set_stage":
      return "manage:contacts";
    case "wait":
    case "wait_for_reply":
      return null;
  }
}

export async function loadSegments(orgId: ObjectId, ids: string[]): Promise<SegmentLookup> {
  if (ids.length === 0) return new Map();
  const docs = await scoped(orgId)("segments").find({ _id: { $in: ids.map((i) => new ObjectId(i)) } }, { projection: { name: 1, definition: 1 } }).toArray();
  return new Map(docs.map((d) => [d._id.toHexString(), { name: d.name, definition: d.definition }]));
}

export async function validateTrigger(orgId: ObjectId, role: Role, def: TriggerDefinition): Promise<void> {
  const bad = (where: string, message: string) => new ApiError("unprocessable_entity", `${where}: ${message}`);
  const w = def.when;
  if (w.type === "conversation_pattern") {
    const pattern = w.keywords.length > 0 || !!w.regex;
    const ai = !!w.intent || !!w.sentiment;
    if (!pattern && !ai) throw bad("when", "give keywords, a regular expression, an AI intent or a sentiment");
    if (pattern && ai) throw bad("when", "keywords and a regular expression are checked on each message, an AI intent or sentiment when the analysis finishes: use one or the other in a trigger");
    if (w.regex) {
      try {
        new RegExp(w.regex, "iu");
      } catch (err) {
        throw bad("when.regex", `not a valid regular expression (${(err as Error).message})`);
      }
    }
  }
  if (w.type === "time_based") {
    if (!!w.inactivityMinutes === !!w.cron) throw bad("when", "a time-based trigger takes either minutes of inactivity or a schedule");
    if (w.cron) {
      const problem = cronProblem(w.cron);
      if (problem) throw bad("when.cron", `not a schedule (${problem})`);
      // A schedule runs over contacts: there is no conversation, message or AI reading to test.
      const eventFields = contextFieldsIn(def.conditions).filter((f) => f !== "segment");
      if (eventFields.length) throw bad("conditions", `a scheduled trigger can only test contact fields and saved segments, not ${eventFields.join(", ")}`);
    }
  }
  if (w.type === "behavior") {
    if (w.event === "messages_in_period" && (!w.count || !w.periodHours)) throw bad("when", "say how many messages within how many hours");
    if (w.campaignId && !(await scoped(orgId)("campaigns").findOne({ _id: new ObjectId(w.campaignId) }, { projection: { _id: 1 } }))) throw bad("when.campaignId", "that campaign does not exist");
  }
  compileConditions(def.conditions, await loadSegments(orgId, segmentIdsOf(def.conditions)));
  const db = scoped(orgId);
  for (const { path, step } of allSteps(def.steps)) {
    const where = `steps[${path}] (${step.kind})`;
    const needs = permissionFor(step);
    if (needs && !can(role, needs)) throw new ApiError("forbidden", `${where}: your role cannot set up this action (it needs ${needs})`);
    if (step.kind === "send_message") {
      if (!step.text && !step.templateId) throw bad(where, "give the text to send, a template for outside the 24-hour window, or both");
      if (step.templateId) {
        const t = await db("whatsapp_templates").findOne({ _id: new ObjectId(step.templateId) }, { projection: { name: 1, status: 1, components: 1 } });
        if (!t) throw bad(where, "that template does not exist");
        if (t.status !== "APPROVED") throw bad(where, `the template “${t.name}” is ${t.status.toLowerCase()}; only approved templates can be sent`);
        // An automation has no one to fill a template's variables in yet (campaigns map them per contact).
        if (/\{\{[^}]+\}\}/.test(JSON.stringify(t.components))) throw bad(where, `the template “${t.name}” has variables; an automation can send templates without variables`);
      }
    }
    if (step.kind === "assign" && step.userId) {
      const u = await db("users").findOne({ _id: new ObjectId(step.userId), active: true }, { projection: { role: 1 } });
      if (!u || !can(u.role, "write:messages")) throw bad(where, "the assignee must be an active agent, supervisor or admin");
    }
    if (step.kind === "set_field") {
      try {
        await validateCustomFields(orgId, { [step.key]: step.value });
      } catch (err) {
        if (err instanceof ApiError) throw bad(where, err.message);
        throw err;
      }
    }
  }
}

function contextFieldsIn(group: TriggerDefinition["conditions"]): string[] {
  return group.conditions.flatMap((c) => ("match" in c ? contextFieldsIn(c) : c.field in contextFields ? [c.field] : []));
}

export function parseTrigger(raw: unknown): TriggerDefinition {
  const parsed = triggerInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ApiError("unprocessable_entity", `${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  return parsed.data;
}

export async function listTriggers(orgId: ObjectId): Promise<TriggerDoc[]> {
  return scoped(orgId)("triggers").find({}, { sort: { priority: 1, createdAt: 1 }, limit: 500 }).toArray();
}

export async function getTrigger(orgId: ObjectId, id: ObjectId): Promise<TriggerDoc> {
  const t = await scoped(orgId)("triggers").findOne({ _id: id });
  if (!t) throw new ApiError("not_found", "Automation not found");
  return t;
}

export async function createTrigger(orgId: ObjectId, actor: Actor, role: Role, input: TriggerInput): Promise<TriggerDoc> {
  const def = parseTrigger(input);
  await validateTrigger(orgId, role, def);
  const now = new Date();
  const doc: Omit<TriggerDoc, "orgId"> = {
    _id: new ObjectId(),
    ...def,
    type: def.when.type,
    version: 1,
    executionCount: 0,
    successCount: 0,
    failureCount: 0,
    lastRunAt: null,
    nextRunAt: await nextRunFor(orgId, def.when, def.active),
    createdBy: actor.id,
    createdAt: now,
    updatedAt: now,
  };
  await scoped(orgId)("triggers").insertOne(doc);
  forgetBehaviorListeners(orgId);
  await recordActivity(orgId, actor, { action: "trigger.created", entityType: "trigger", entityId: doc._id, before: null, after: { name: def.name, active: def.active } });
  return { ...doc, orgId };
}

/** An edit is a new version: runs already started keep the steps they started with. */
export async function updateTrigger(orgId: ObjectId, actor: Actor, role: Role, id: ObjectId, input: TriggerInput): Promise<TriggerDoc> {
  const before = await getTrigger(orgId, id);
  const def = parseTrigger(input);
  await validateTrigger(orgId, role, def);
  const updated = await scoped(orgId)("triggers").findOneAndUpdate(
    { _id: id, version: before.version },
    { $set: { ...def, type: def.when.type, nextRunAt: await nextRunFor(orgId, def.when, def.active), updatedAt: new Date() }, $inc: { version: 1 } },
    { returnDocument: "after" },
  );
  if (!updated) throw new ApiError("conflict", "Someone else saved this automation meanwhile; reload to see their version");
  forgetBehaviorListeners(orgId);
  await recordActivity(orgId, actor, { action: "trigger.updated", entityType: "trigger", entityId: id, before: { version: before.version, active: before.active }, after: { version: updated.version, active: updated.active } });
  return updated;
}

export async function setTriggerActive(orgId: ObjectId, actor: Actor, id: ObjectId, active: boolean): Promise<TriggerDoc> {
  const current = await getTrigger(orgId, id);
  const updated = await scoped(orgId)("triggers").findOneAndUpdate(
    { _id: id },
    { $set: { active, nextRunAt: await nextRunFor(orgId, current.when, active), updatedAt: new Date() } },
    { returnDocument: "after" },
  );
  if (!updated) throw new ApiError("not_found", "Automation not found");
  forgetBehaviorListeners(orgId);
  await recordActivity(orgId, actor, { action: active ? "trigger.enabled" : "trigger.disabled", entityType: "trigger", entityId: id, before: null, after: { active } });
  return updated;
}

export async function deleteTrigger(orgId: ObjectId, actor: Actor, id: ObjectId): Promise<void> {
  const t = await getTrigger(orgId, id);
  await scoped(orgId)("triggers").deleteOne({ _id: id });
  await recordActivity(orgId, actor, { action: "trigger.deleted", entityType: "trigger", entityId: id, before: { name: t.name }, after: null });
}

// ---- the evaluator's view -----------------------------------------------------------------------

/** Compiled triggers by id, version and minute (relative dates in conditions move on each minute). */
const compiledCache = new Map<string, CompiledTrigger>();

/** The active triggers of an organization, compiled (one indexed read per event). */
export async function activeTriggers(orgId: ObjectId): Promise<CompiledTrigger[]> {
  const docs = await scoped(orgId)("triggers").find({ active: true }, { sort: { priority: 1 } }).toArray();
  if (docs.length === 0) return [];
  const minute = Math.floor(Date.now() / 60_000);
  const missing = docs.filter((d) => !compiledCache.has(`${d._id.toHexString()}:${d.version}:${minute}`));
  const segments = missing.length ? await loadSegments(orgId, [...new Set(missing.flatMap((d) => segmentIdsOf(d.conditions)))]) : new Map();
  if (compiledCache.size > 10_000) compiledCache.clear();
  return docs.flatMap((d) => {
    const key = `${d._id.toHexString()}:${d.version}:${minute}`;
    let c = compiledCache.get(key);
    if (!c) {
      try {
        c = compileTrigger(d, segments);
      } catch {
        // A saved segment it names was deleted since: the trigger cannot match until it is fixed.
        return [];
      }
      compiledCache.set(key, c);
    }
    // The cached compile holds the trigger as it was; counters and the active flag come from this read.
    return [{ ...c, trigger: d }];
  });
}

// ---- responses ----------------------------------------------------------------------------------

export function toTriggerResponse(t: TriggerDoc) {
  const finished = t.successCount + t.failureCount;
  return {
    id: t._id.toHexString(),
    name: t.name,
    description: t.description,
    type: t.type,
    when: t.when,
    conditions: t.conditions,
    steps: t.steps,
    priority: t.priority,
    active: t.active,
    maxRunsPerContactPerDay: t.maxRunsPerContactPerDay,
    version: t.version,
    executionCount: t.executionCount,
    successRate: finished ? t.successCount / finished : null,
    failureCount: t.failureCount,
    lastRunAt: t.lastRunAt?.toISOString() ?? null,
    nextRunAt: t.nextRunAt?.toISOString() ?? null,
    updatedAt: t.updatedAt.toISOString(),
  };
}
export type TriggerResponse = ReturnType<typeof toTriggerResponse>;

export async function listRuns(orgId: ObjectId, triggerId: ObjectId, before: Date | null, limit = 25) {
  await getTrigger(orgId, triggerId);
  const rows = await scoped(orgId)("automation_runs")
    .find({ triggerId, ...(before ? { startedAt: { $lt: before } } : {}) }, { sort: { startedAt: -1 }, limit: limit + 1 })
    .toArray();
  const page = rows.slice(0, limit);
  const contacts = await scoped(orgId)("contacts").find({ _id: { $in: [...new Set(page.map((r) => r.contactId.toHexString()))].map((id) => new ObjectId(id)) } }, { projection: { name: 1, profileName: 1, phone: 1, username: 1 } }).toArray();
  const names = new Map(contacts.map((c) => [c._id.toHexString(), contactLabel(c)]));
  return {
    runs: page.map((r) => ({
      id: r._id.toHexString(),
      contactId: r.contactId.toHexString(),
      contactName: names.get(r.contactId.toHexString()) ?? "Deleted contact",
      conversationId: r.conversationId?.toHexString() ?? null,
      version: r.version,
      status: r.status,
      event: r.event,
      waiting: r.waiting ? { kind: r.waiting.kind, until: r.waiting.until.toISOString() } : null,
      trace: r.trace.map((s) => ({ ...s, at: s.at.toISOString() })),
      error: r.error,
      startedAt: r.startedAt.toISOString(),
      durationMs: r.durationMs,
    })),
    nextBefore: rows.length > limit ? page.at(-1)!.startedAt.toISOString() : null,
  };
}
export type RunListResponse = Awaited<ReturnType<typeof listRuns>>;

/** Templates a step can send: approved, without variables (an automation has nobody to fill them in). */
export async function sendableTemplates(orgId: ObjectId): Promise<{ id: string; name: string; language: string }[]> {
  const docs = await scoped(orgId)("whatsapp_templates").find({ status: "APPROVED" }, { sort: { name: 1, language: 1 }, projection: { name: 1, language: 1, components: 1 } }).toArray();
  return docs.filter((t) => !/\{\{[^}]+\}\}/.test(JSON.stringify(t.components))).map((t) => ({ id: t._id.toHexString(), name: t.name, language: t.language }));
}
