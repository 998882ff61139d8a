import { ObjectId } from "mongodb";
import type { z } from "zod";
import { ApiError, isDuplicateKeyError } from "@/lib/api/errors";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { scoped } from "@/lib/db/scoped";
import type { createTemplateBody, editTemplateBody, TemplateDetailResponse, TemplateDoc, TemplateDraft, TemplateResponse } from "@/lib/schemas/template";
import type { WhatsappAccountDoc } from "@/lib/schemas/whatsapp-account";
import { graphClient } from "@/lib/whatsapp/graph-client";
import { GraphApiError } from "@/lib/whatsapp/graph-error";
import { templateKey } from "@/lib/whatsapp/templates";
import { editAllowance, utcMinute } from "./edit-limits";
import { examplesOf, withExamples, withoutExamples } from "./examples";
import { lintTemplate } from "./lint";

/**
 * Submitting, editing and deleting message templates at Meta, and their mirror in
 * `whatsapp_templates` (the same documents the sync and the template webhooks keep current, by
 * the same `wabaId:name:language` key). Meta's review outcome arrives later by webhook, so each
 * write after a Meta call is guarded: if a webhook already changed the document, its status wins.
 */
export type CreateTemplateInput = z.output<typeof createTemplateBody>;
export type EditTemplateInput = z.output<typeof editTemplateBody>;

/** Meta blocks the name of a deleted approved template for 30 days (Meta, "Template management"). */
export const NAME_BLOCK_MS = 30 * 24 * 60 * 60 * 1000;
const EDITABLE = ["APPROVED", "REJECTED", "PAUSED"];
/** Statuses of an approved template: its category is fixed and its name is blocked after deletion. */
const APPROVED_STATES = ["APPROVED", "PAUSED"];
const UNDELETABLE = ["DELETED", "DISABLED", "PENDING_DELETION"];

export async function getTemplateOrThrow(orgId: ObjectId, id: ObjectId): Promise<TemplateDoc> {
  const t = await scoped(orgId)("whatsapp_templates").findOne({ _id: id });
  if (!t) throw new ApiError("not_found", "Template not found");
  return t;
}

/** The same rules the builder shows: a draft with problems never reaches Meta. */
function assertLintClean(draft: TemplateDraft) {
  const problems = lintTemplate(draft);
  if (problems.length) throw new ApiError("unprocessable_entity", `The template cannot be submitted: ${problems.map((p) => p.message).join("; ")}`);
}

/** Meta's refusal of the content is the person's to fix (422); an unreachable or throttled Meta is a retry (503). */
function metaError(err: unknown, what: string): never {
  if (!(err instanceof GraphApiError)) throw err;
  const text = `${err.message}${err.details ? ` (${err.details})` : ""}`;
  if (["network", "not_configured", "token_expired", "rate_limited"].includes(err.kind)) {
    throw new ApiError("service_unavailable", `Meta could not ${what} right now: ${text}`);
  }
  throw new ApiError("unprocessable_entity", `Meta refused to ${what}: ${text}`);
}

async function accountFor(orgId: ObjectId, accountId: ObjectId | undefined): Promise<WhatsappAccountDoc> {
  const accounts = scoped(orgId)("whatsapp_accounts");
  const account = accountId ? await accounts.findOne({ _id: accountId }) : await accounts.findOne({}, { sort: { createdAt: 1 } });
  if (!account) throw new ApiError("not_found", accountId ? "WhatsApp account not found" : "Connect a WhatsApp number before creating templates");
  if (!account.wabaId) throw new ApiError("unprocessable_entity", "This WhatsApp account has no business account (WABA) id to submit templates to");
  return account;
}

async function accountOf(orgId: ObjectId, t: TemplateDoc): Promise<WhatsappAccountDoc> {
  const account = await scoped(orgId)("whatsapp_accounts").findOne({ _id: t.accountId });
  if (!account) throw new ApiError("unprocessable_entity", "The template's WhatsApp account no longer exists");
  return account;
}

/** Lints, submits to Meta (`POST /{waba_id}/message_templates`) and stores the template, PENDING until Meta's review webhook. */
export async function createTemplate(orgId: ObjectId, actor: Actor, input: CreateTemplateInput): Promise<TemplateDoc> {
  const { accountId, ...draft } = input;
  assertLintClean(draft);
  const db = scoped(orgId)("whatsapp_templates");
  const account = await accountFor(orgId, accountId ? new ObjectId(accountId) : undefined);
  const key = templateKey(account.wabaId, draft.name, draft.language);
  const now = new Date();
  // Every language of the name: a blocked name is blocked in all of them.
  const sameName = await db.find({ name: draft.name, wabaId: account.wabaId }).toArray();
  const blocked = sameName.find((t) => t.nameBlockedUntil && t.nameBlockedUntil > now);
  if (blocked) {
    throw new ApiError(
      "conflict",
      `The name ${draft.name} belonged to an approved template deleted on ${utcMinute(blocked.deletedAt ?? blocked.updatedAt)}; Meta does not allow it again until ${utcMinute(blocked.nameBlockedUntil!)}. Choose another name.`,
    );
  }
  const existing = sameName.find((t) => t.key === key);
  if (existing && existing.status !== "DELETED") {
    throw new ApiError("conflict", `A template named ${draft.name} in ${draft.language} already exists (${existing.status.toLowerCase()}); edit it instead`);
  }

  let created: { id: string; status: string; category: string };
  try {
    created = await graphClient(account).createTemplate({
      name: draft.name,
      language: draft.language,
      category: draft.category,
      parameter_format: draft.parameterFormat,
      components: draft.components,
    });
  } catch (err) {
    metaError(err, "accept the template");
  }
  const content = {
    accountId: account._id,
    wabaId: account.wabaId,
    metaId: created.id,
    name: draft.name,
    language: draft.language,
    // Meta may answer with another category than the one asked for: its answer is what will be charged.
    category: created.category || draft.category,
    parameterFormat: draft.parameterFormat,
    components: withoutExamples(draft.components),
    examples: examplesOf(draft),
    submittedBy: actor.id,
    edits: [],
    deletedAt: null,
    nameBlockedUntil: null,
    syncedAt: now,
    updatedAt: now,
  };
  const review = { status: created.status || "PENDING", rejectedReason: null, qualityScore: null, pausedReason: null };
  if (existing) {
    const res = await db.updateOne({ _id: existing._id, updatedAt: existing.updatedAt }, { $set: { ...content, ...review } });
    if (res.matchedCount === 0) await db.updateOne({ _id: existing._id }, { $set: content });
  } else {
    try {
      await db.insertOne({ _id: new ObjectId(), key, ...content, ...review, createdAt: now });
    } catch (err) {
      // The review webhook stored the template first (by key): keep its status, add the content.
      if (!isDuplicateKeyError(err)) throw err;
      await db.updateOne({ key }, { $set: content });
    }
  }
  const stored = (await db.findOne({ key }))!;
  await recordActivity(orgId, actor, {
    action: "template.submitted",
    entityType: "template",
    entityId: stored._id,
    after: { name: stored.name, language: stored.language, category: stored.category, status: stored.status },
  });
  return stored;
}

/**
 * `POST /{template_id}`: replaces the components (and the category, unless approved) and sends the
 * template back to review. Approved templates: 10 edits per 30 days, 1 per 24 hours, recorded in `edits`.
 */
export async function editTemplate(orgId: ObjectId, actor: Actor, id: ObjectId, input: EditTemplateInput): Promise<TemplateDoc> {
  const db = scoped(orgId)("whatsapp_templates");
  const t = await getTemplateOrThrow(orgId, id);
  if (!EDITABLE.includes(t.status)) {
    throw new ApiError("conflict", `Only approved, rejected or paused templates can be edited; this one is ${t.status.toLowerCase()}`);
  }
  if (APPROVED_STATES.includes(t.status) && input.category !== t.category) {
    throw new ApiError("unprocessable_entity", `The category of an approved template cannot change (it is ${t.category.toLowerCase()}); create a new template instead`);
  }
  const now = new Date();
  const counted = t.status === "APPROVED";
  if (counted) {
    const allowance = editAllowance(t.edits ?? [], now);
    if (allowance.refusal) throw new ApiError("conflict", allowance.refusal);
  }
  const draft: TemplateDraft = { name: t.name, language: t.language, category: input.category, parameterFormat: t.parameterFormat, components: input.components };
  assertLintClean(draft);
  const account = await accountOf(orgId, t);
  try {
    await graphClient(account).editTemplate(t.metaId, { ...(input.category !== t.category ? { category: input.category } : {}), components: input.components });
  } catch (err) {
    metaError(err, "accept the edit");
  }
  const content = { category: input.category, components: withoutExamples(input.components), examples: examplesOf(draft), updatedAt: now };
  // The last 10 are all the 30-day limit needs: the array stays bounded.
  const push = counted ? { $push: { edits: { $each: [now], $slice: -10 } } } : {};
  const res = await db.updateOne({ _id: id, updatedAt: t.updatedAt }, { $set: { ...content, status: "PENDING", rejectedReason: null, pausedReason: null }, ...push });
  if (res.matchedCount === 0) await db.updateOne({ _id: id }, { $set: content, ...push });
  const stored = await getTemplateOrThrow(orgId, id);
  await recordActivity(orgId, actor, {
    action: "template.edited",
    entityType: "template",
    entityId: id,
    before: { status: t.status, category: t.category, components: t.components },
    after: { status: stored.status, category: stored.category, components: stored.components },
  });
  return stored;
}

/**
 * `DELETE /{waba_id}/message_templates?name=&hsm_id=` (this language only). A deleted approved
 * template's name cannot be created again for 30 days; DISABLED templates cannot be deleted.
 */
export async function deleteTemplate(orgId: ObjectId, actor: Actor, id: ObjectId): Promise<TemplateDoc> {
  const t = await getTemplateOrThrow(orgId, id);
  if (t.status === "DISABLED") throw new ApiError("conflict", "Meta does not allow deleting a disabled template");
  if (UNDELETABLE.includes(t.status)) throw new ApiError("conflict", "This template is already deleted");
  const account = await accountOf(orgId, t);
  try {
    await graphClient(account).deleteTemplate({ name: t.name, metaId: t.metaId });
  } catch (err) {
    metaError(err, "delete the template");
  }
  const now = new Date();
  const nameBlockedUntil = APPROVED_STATES.includes(t.status) ? new Date(now.getTime() + NAME_BLOCK_MS) : null;
  await scoped(orgId)("whatsapp_templates").updateOne({ _id: id }, { $set: { status: "DELETED", deletedAt: now, nameBlockedUntil, updatedAt: now } });
  await recordActivity(orgId, actor, {
    action: "template.deleted",
    entityType: "template",
    entityId: id,
    before: { name: t.name, language: t.language, status: t.status },
    after: { status: "DELETED", nameBlockedUntil },
  });
  return getTemplateOrThrow(orgId, id);
}

/** A template as the list API returns it (the inbox composer and the campaign composer read it). */
export function toTemplateResponse(t: TemplateDoc): TemplateResponse {
  return {
    id: t._id.toHexString(),
    accountId: t.accountId.toHexString(),
    name: t.name,
    language: t.language,
    category: t.category,
    status: t.status,
    qualityScore: t.qualityScore,
    rejectedReason: t.rejectedReason,
    parameterFormat: t.parameterFormat,
    components: t.components,
    syncedAt: t.syncedAt.toISOString(),
  };
}

/** One template for the builder: the list shape plus what editing and deleting need. */
export function toTemplateDetail(t: TemplateDoc, now = new Date()): TemplateDetailResponse {
  const allowance = t.status === "APPROVED" ? editAllowance(t.edits ?? [], now) : null;
  return {
    ...toTemplateResponse(t),
    // The builder edits what was submitted: samples put back in Meta's shapes.
    components: withExamples({ components: t.components, parameterFormat: t.parameterFormat }, t.examples ?? {}),
    submittedBy: t.submittedBy?.toHexString() ?? null,
    deletedAt: t.deletedAt?.toISOString() ?? null,
    nameBlockedUntil: t.nameBlockedUntil?.toISOString() ?? null,
    pausedReason: t.pausedReason ?? null,
    edits: allowance ? { used: allowance.used, limit: allowance.limit, nextEditAt: allowance.nextEditAt?.toISOString() ?? null } : null,
    editable: EDITABLE.includes(t.status) && !allowance?.refusal,
    deletable: !UNDELETABLE.includes(t.status),
    updatedAt: t.updatedAt.toISOString(),
  };
}
