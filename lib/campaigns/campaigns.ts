import { ObjectId, type Filter } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { getSegment } from "@/lib/contacts/segments/store";
import { scoped } from "@/lib/db/scoped";
import { beforeCursor, encodeCursor } from "@/lib/inbox/cursor";
import { enqueue } from "@/lib/jobs/enqueue";
import { emptyCounters, type CampaignDoc, type CampaignInput, type StoredVariant } from "@/lib/schemas/campaign";
import type { SegmentGroup } from "@/lib/schemas/segment";
import type { TemplateDoc } from "@/lib/schemas/template";
import { bump } from "./counters";
import { firstRecipient } from "./prepare-job";
import { unmappedSlots } from "./recipient-rules";

/** Throughput bounds: Meta's default per number, and the upgraded ceiling. */
export const DEFAULT_RATE = 80;
export const MAX_RATE = 1_000;

export async function getCampaign(orgId: ObjectId, id: ObjectId): Promise<CampaignDoc> {
  const c = await scoped(orgId)("campaigns").findOne({ _id: id });
  if (!c) throw new ApiError("not_found", "Campaign not found");
  return c;
}

/** Newest first, by the `(createdAt, _id)` keyset cursor of lib/inbox/cursor.ts. */
export async function listCampaigns(orgId: ObjectId, opts: { cursor?: string; limit: number }) {
  const filter: Filter<CampaignDoc> = opts.cursor ? beforeCursor("createdAt", opts.cursor) : {};
  const rows = await scoped(orgId)("campaigns").find(filter, { sort: { createdAt: -1, _id: -1 }, limit: opts.limit + 1 }).toArray();
  const page = rows.slice(0, opts.limit);
  const last = page[page.length - 1];
  return { campaigns: page, nextCursor: rows.length > opts.limit && last ? encodeCursor(last.createdAt, last._id) : null };
}

async function templatesFor(orgId: ObjectId, accountId: ObjectId, input: CampaignInput): Promise<Map<string, TemplateDoc>> {
  const ids = [...new Set(input.variants.map((v) => v.templateId))].map((id) => new ObjectId(id));
  const found = await scoped(orgId)("whatsapp_templates").find({ _id: { $in: ids } }).toArray();
  const byId = new Map(found.map((t) => [t._id.toHexString(), t]));
  for (const v of input.variants) {
    const t = byId.get(v.templateId);
    if (!t) throw new ApiError("unprocessable_entity", `variants: variant ${v.key}'s template was not found`);
    if (!t.accountId.equals(accountId)) throw new ApiError("unprocessable_entity", `variants: the template "${t.name}" belongs to another WhatsApp number`);
  }
  return byId;
}

async function accountFor(orgId: ObjectId, accountId: string | undefined) {
  const db = scoped(orgId);
  const account = accountId ? await db("whatsapp_accounts").findOne({ _id: new ObjectId(accountId) }) : await db("whatsapp_accounts").findOne({}, { sort: { createdAt: 1 } });
  if (!account) throw new ApiError("unprocessable_entity", accountId ? "accountId: no such WhatsApp number" : "Connect a WhatsApp number before creating a campaign");
  return account;
}

function checkInput(input: CampaignInput) {
  const keys = input.variants.map((v) => v.key);
  if (new Set(keys).size !== keys.length) throw new ApiError("unprocessable_entity", "variants: each variant needs its own key (A, B)");
  if (input.variants.length === 1 && input.variants[0]!.key !== "A") throw new ApiError("unprocessable_entity", "variants: a single variant is A");
  if (input.winner && input.variants.length < 2) throw new ApiError("unprocessable_entity", "winner: a winner rule needs two variants");
  if (input.winner?.metric === "conversion_rate" && !input.conversion) throw new ApiError("unprocessable_entity", "winner: choose a conversion goal to pick the winner by conversion rate");
  if (!input.audience.segmentId && !input.audience.definition) throw new ApiError("unprocessable_entity", "audience: choose a segment, a list, tags or conditions");
}

/** What a variant keeps of its template: what is sent and rendered, as approved. */
function templateSnapshot(t: TemplateDoc): StoredVariant["template"] {
  return { name: t.name, language: t.language, category: t.category, parameterFormat: t.parameterFormat, components: t.components };
}

function storedVariants(input: CampaignInput, templates: Map<string, TemplateDoc>): StoredVariant[] {
  return input.variants.map((v) => {
    const t = templates.get(v.templateId)!;
    return {
      key: v.key,
      templateId: t._id,
      template: templateSnapshot(t),
      variables: v.variables,
      weight: input.variants.length === 1 ? 100 : v.weight,
    };
  });
}

export async function createCampaign(orgId: ObjectId, actor: Actor, input: CampaignInput): Promise<CampaignDoc> {
  checkInput(input);
  const account = await accountFor(orgId, input.accountId);
  const templates = await templatesFor(orgId, account._id, input);
  if (input.audience.segmentId) await getSegment(orgId, new ObjectId(input.audience.segmentId));
  const now = new Date();
  const doc: Omit<CampaignDoc, "orgId"> = {
    _id: new ObjectId(),
    name: input.name,
    accountId: account._id,
    status: "draft",
    audience: { segmentId: input.audience.segmentId ? new ObjectId(input.audience.segmentId) : null, definition: input.audience.definition },
    exclusions: input.exclusions,
    variants: storedVariants(input, templates),
    controlPercent: input.controlPercent,
    winner: input.winner,
    winnerKey: null,
    conversion: input.conversion,
    scheduledAt: null,
    ratePerSecond: Math.min(MAX_RATE, account.throughputMps || DEFAULT_RATE),
    counters: emptyCounters(),
    byVariant: {},
    excludedBy: {},
    failedBy: {},
    pauseReason: null,
    prepareCursor: null,
    preparedAt: null,
    startedAt: null,
    completedAt: null,
    createdBy: actor.id,
    createdAt: now,
    updatedAt: now,
  };
  await scoped(orgId)("campaigns").insertOne(doc);
  await recordActivity(orgId, actor, { action: "campaign.created", entityType: "campaign", entityId: doc._id, after: { name: doc.name } });
  return { ...doc, orgId };
}

/** Drafts and scheduled campaigns can still change; once sending, the recipients are fixed. */
export async function updateCampaign(orgId: ObjectId, actor: Actor, id: ObjectId, input: CampaignInput): Promise<CampaignDoc> {
  checkInput(input);
  const current = await getCampaign(orgId, id);
  if (current.status !== "draft" && current.status !== "scheduled") throw new ApiError("conflict", `The campaign is ${current.status}; only a draft or scheduled campaign can be edited`);
  const account = await accountFor(orgId, input.accountId ?? current.accountId.toHexString());
  const templates = await templatesFor(orgId, account._id, input);
  const set = {
    name: input.name,
    accountId: account._id,
    audience: { segmentId: input.audience.segmentId ? new ObjectId(input.audience.segmentId) : null, definition: input.audience.definition },
    exclusions: input.exclusions,
    variants: storedVariants(input, templates),
    controlPercent: input.controlPercent,
    winner: input.winner,
    conversion: input.conversion,
    ratePerSecond: Math.min(MAX_RATE, account.throughputMps || DEFAULT_RATE),
    updatedAt: new Date(),
  };
  const res = await scoped(orgId)("campaigns").findOneAndUpdate({ _id: id, status: { $in: ["draft", "scheduled"] } }, { $set: set }, { returnDocument: "after" });
  if (!res) throw new ApiError("conflict", "The campaign started sending meanwhile; it can no longer be edited");
  await recordActivity(orgId, actor, { action: "campaign.updated", entityType: "campaign", entityId: id, after: { name: input.name } });
  return res;
}

export async function deleteCampaign(orgId: ObjectId, actor: Actor, id: ObjectId) {
  const res = await scoped(orgId)("campaigns").deleteOne({ _id: id, status: "draft" });
  if (res.deletedCount === 0) {
    await getCampaign(orgId, id);
    throw new ApiError("conflict", "Only a draft can be deleted; cancel a campaign that has started");
  }
  await recordActivity(orgId, actor, { action: "campaign.deleted", entityType: "campaign", entityId: id });
}

/** The campaign's audience as one segment definition: its saved segment (read now) and its own conditions. */
export async function resolveAudience(orgId: ObjectId, c: Pick<CampaignDoc, "audience">): Promise<SegmentGroup> {
  const parts: SegmentGroup[] = [];
  if (c.audience.segmentId) parts.push((await getSegment(orgId, c.audience.segmentId)).definition);
  if (c.audience.definition) parts.push(c.audience.definition);
  return parts.length === 1 ? parts[0]! : { match: "all", conditions: parts };
}

/**
 * What must hold before a single message goes out, each refusal with its reason: every variant's
 * template approved now (not paused, pending or disabled) and fully mapped. Returns the templates
 * as they are now (a re-approved edit may have changed them since the draft).
 */
export async function assertSendable(orgId: ObjectId, c: CampaignDoc): Promise<TemplateDoc[]> {
  const ids = c.variants.map((v) => v.templateId);
  const current = await scoped(orgId)("whatsapp_templates").find({ _id: { $in: ids } }).toArray();
  for (const v of c.variants) {
    const t = current.find((x) => x._id.equals(v.templateId));
    if (!t) throw new ApiError("unprocessable_entity", `The template of variant ${v.key} no longer exists`);
    if (t.status !== "APPROVED") {
      const why = t.status === "PAUSED" ? " (Meta paused it for low quality)" : t.status === "PENDING" ? " (Meta is still reviewing it)" : t.rejectedReason ? ` (${t.rejectedReason})` : "";
      throw new ApiError("unprocessable_entity", `The template "${t.name}" is ${t.status.toLowerCase()}${why}; only an approved template can be sent`);
    }
    const missing = unmappedSlots(v);
    if (missing.length) throw new ApiError("unprocessable_entity", `Variant ${v.key}: choose a value for ${missing.join(", ")}`);
  }
  return current;
}

/** Send now: the audience is read as it is now and materialised by the `campaign-prepare` job. */
export async function startCampaign(orgId: ObjectId, actor: Actor | null, id: ObjectId, opts: { from: ("draft" | "scheduled" | "paused")[] } = { from: ["draft", "scheduled"] }): Promise<CampaignDoc> {
  const c = await getCampaign(orgId, id);
  if (!opts.from.includes(c.status as "draft")) throw new ApiError("conflict", `The campaign is ${c.status}; it cannot be started again`);
  const templates = await assertSendable(orgId, c);
  const definition = await resolveAudience(orgId, c);
  const probe = await firstRecipient(orgId, c, definition);
  if (!probe.found) {
    throw new ApiError("unprocessable_entity", `No one is left to send to after the exclusions (${probe.excluded.toLocaleString("en")} excluded); change the audience or the exclusions`);
  }
  const variants = c.variants.map((v) => ({ ...v, template: templateSnapshot(templates.find((x) => x._id.equals(v.templateId))!) }));
  const now = new Date();
  const started = await scoped(orgId)("campaigns").findOneAndUpdate(
    { _id: id, status: { $in: opts.from } },
    { $set: { status: "preparing", variants, "audience.definition": definition, startedAt: now, prepareCursor: null, counters: emptyCounters(), updatedAt: now } },
    { returnDocument: "after" },
  );
  if (!started) throw new ApiError("conflict", "The campaign was started or changed meanwhile");
  await enqueue("campaign-prepare", { orgId: orgId.toHexString(), campaignId: id.toHexString() }, { deduplicationId: `campaign-prepare-${id.toHexString()}-start` });
  if (actor) await recordActivity(orgId, actor, { action: "campaign.started", entityType: "campaign", entityId: id });
  return started;
}

/** Schedules in the future (the minutely tick starts it), or back to draft with `null`. */
export async function scheduleCampaign(orgId: ObjectId, actor: Actor, id: ObjectId, at: Date | null): Promise<CampaignDoc> {
  const c = await getCampaign(orgId, id);
  if (c.status !== "draft" && c.status !== "scheduled") throw new ApiError("conflict", `The campaign is ${c.status}; only a draft can be scheduled`);
  if (at && at.getTime() < Date.now() + 60_000) throw new ApiError("unprocessable_entity", "at: the time is in the past (schedule at least a minute ahead, or send now)");
  if (at) await assertSendable(orgId, c);
  const res = await scoped(orgId)("campaigns").findOneAndUpdate(
    { _id: id, status: { $in: ["draft", "scheduled"] } },
    { $set: { status: at ? "scheduled" : "draft", scheduledAt: at, updatedAt: new Date() } },
    { returnDocument: "after" },
  );
  if (!res) throw new ApiError("conflict", "The campaign started meanwhile");
  await recordActivity(orgId, actor, { action: at ? "campaign.scheduled" : "campaign.unscheduled", entityType: "campaign", entityId: id, after: { at: at?.toISOString() ?? null } });
  return res;
}

export async function pauseByPerson(orgId: ObjectId, actor: Actor, id: ObjectId): Promise<CampaignDoc> {
  const res = await scoped(orgId)("campaigns").findOneAndUpdate(
    { _id: id, status: { $in: ["preparing", "sending"] } },
    { $set: { status: "paused", pauseReason: `Paused by ${actor.name}`, updatedAt: new Date() } },
    { returnDocument: "after" },
  );
  if (!res) throw new ApiError("conflict", `The campaign is ${(await getCampaign(orgId, id)).status}; only a sending campaign can be paused`);
  await recordActivity(orgId, actor, { action: "campaign.paused", entityType: "campaign", entityId: id });
  return res;
}

/** Resumes where it stopped: a paused preparation continues, queued recipients are dispatched again. */
export async function resumeCampaign(orgId: ObjectId, actor: Actor, id: ObjectId): Promise<CampaignDoc> {
  const c = await getCampaign(orgId, id);
  if (c.status !== "paused") throw new ApiError("conflict", `The campaign is ${c.status}; only a paused campaign can be resumed`);
  await assertSendable(orgId, c);
  // Paused before it started (a template paused while it was scheduled): back to its schedule.
  if (!c.startedAt) {
    const future = c.scheduledAt && c.scheduledAt.getTime() > Date.now();
    if (!future) return startCampaign(orgId, actor, id, { from: ["paused"] });
    const res = await scoped(orgId)("campaigns").findOneAndUpdate({ _id: id, status: "paused" }, { $set: { status: "scheduled", pauseReason: null, updatedAt: new Date() } }, { returnDocument: "after" });
    if (!res) throw new ApiError("conflict", "The campaign changed meanwhile");
    await recordActivity(orgId, actor, { action: "campaign.resumed", entityType: "campaign", entityId: id });
    return res;
  }
  const next = c.preparedAt ? "sending" : "preparing";
  const res = await scoped(orgId)("campaigns").findOneAndUpdate({ _id: id, status: "paused" }, { $set: { status: next, pauseReason: null, updatedAt: new Date() } }, { returnDocument: "after" });
  if (!res) throw new ApiError("conflict", "The campaign changed meanwhile");
  const round = `resume-${Date.now()}`;
  if (next === "preparing") await enqueue("campaign-prepare", { orgId: orgId.toHexString(), campaignId: id.toHexString() }, { deduplicationId: `campaign-prepare-${id.toHexString()}-${round}` });
  else await enqueue("campaign-dispatch", { orgId: orgId.toHexString(), campaignId: id.toHexString(), round, after: null }, { deduplicationId: `campaign-dispatch-${id.toHexString()}-${round}` });
  await recordActivity(orgId, actor, { action: "campaign.resumed", entityType: "campaign", entityId: id });
  return res;
}

/** Cancels what has not been sent; messages already accepted by Meta keep flowing into the funnel. */
export async function cancelCampaign(orgId: ObjectId, actor: Actor, id: ObjectId): Promise<CampaignDoc> {
  const db = scoped(orgId);
  const res = await db("campaigns").findOneAndUpdate(
    { _id: id, status: { $in: ["draft", "scheduled", "preparing", "sending", "paused"] } },
    { $set: { status: "cancelled", completedAt: new Date(), updatedAt: new Date() } },
    { returnDocument: "after" },
  );
  if (!res) throw new ApiError("conflict", `The campaign is ${(await getCampaign(orgId, id)).status}; it cannot be cancelled`);
  const waiting = ["queued", "holdback", "rescheduled"] as const;
  const byVariant = await db("campaign_recipients")
    .aggregate<{ _id: string; n: number }>([{ $match: { campaignId: id, status: { $in: [...waiting] } } }, { $group: { _id: "$variant", n: { $sum: 1 } } }])
    .toArray();
  await db("campaign_recipients").updateMany({ campaignId: id, status: { $in: [...waiting] } }, { $set: { status: "cancelled", updatedAt: new Date() } });
  await bump(orgId, id, byVariant.map((v) => ({ variant: v._id as "A", delta: { pending: -v.n } })));
  await recordActivity(orgId, actor, { action: "campaign.cancelled", entityType: "campaign", entityId: id });
  return (await db("campaigns").findOne({ _id: id }))!;
}
