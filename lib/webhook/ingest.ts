import { createHash } from "node:crypto";
import { ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { rawCollection } from "@/lib/db/collections";
import { isTransientDbError } from "@/lib/db/errors";
import { log } from "@/lib/log";
import type { WebhookEventDoc } from "@/lib/schemas/webhook-event";
import { accountByPhoneNumberId, accountsByWabaId, type AccountRef } from "./accounts";
import type { ChangeResult } from "./change-result";
import { envelopeSchema, issueText } from "./envelope";
import { scheduleFollowUps, type FollowUps } from "./follow-ups";
import { insertWebhookEvent } from "./group-insert";
import { handleMessagesChange, handleUserPreferencesChange } from "./handle-messages";
import { handleAccountChange, handleTemplateChange, isAccountField, isTemplateField } from "./management";
import { mapLimit } from "./map-limit";

/** Changes of one delivery handled at once (Meta batches up to 1,000 updates across entries and changes). */
const CHANGE_CONCURRENCY = 8;
const MAX_REASON = 2000;

export type Processed = Pick<WebhookEventDoc, "reason" | "counts"> & {
  outcome: "processed" | "unprocessed";
  followUps: FollowUps[];
};

type ParsedEnvelope = ReturnType<typeof envelopeSchema.safeParse>;

/** Routes every change of an envelope on `changes[].field` and folds the results into one outcome. */
async function processEnvelope(parsed: ParsedEnvelope): Promise<Processed> {
  if (!parsed.success) return unprocessed(`envelope: ${issueText(parsed.error)}`);
  if (parsed.data.object !== "whatsapp_business_account") return unprocessed(`object "${parsed.data.object}" is not whatsapp_business_account`);
  const changes = parsed.data.entry.flatMap((entry) => entry.changes.map((change) => ({ entry, change })));
  const results = await mapLimit(changes, CHANGE_CONCURRENCY, ({ entry, change }): Promise<ChangeResult> => {
    const { field, value } = change;
    if (field === "messages") return handleMessagesChange(value);
    if (field === "user_preferences") return handleUserPreferencesChange(value);
    if (isTemplateField(field)) return handleTemplateChange(field, entry, value);
    if (isAccountField(field)) return handleAccountChange(field, entry, value);
    return Promise.resolve({ orgId: null, counts: { messages: 0, statuses: 0, other: 0 }, problems: [`field "${field}" is not handled`], notes: [], followUps: null });
  });
  const problems = results.flatMap((r) => r.problems);
  const notes = results.flatMap((r) => r.notes);
  const followUps = new Map<string, FollowUps>();
  for (const r of results) {
    if (!r.orgId || !r.followUps) continue;
    const f = followUps.get(r.orgId.toHexString()) ?? { orgId: r.orgId, messages: [], consent: [] };
    f.messages.push(...r.followUps.messages);
    f.consent.push(...r.followUps.consent);
    if (r.followUps.campaignReplies?.length) (f.campaignReplies ??= []).push(...r.followUps.campaignReplies);
    if (r.followUps.statuses?.length) (f.statuses ??= []).push(...r.followUps.statuses);
    if (r.followUps.events?.length) (f.events ??= []).push(...r.followUps.events);
    followUps.set(r.orgId.toHexString(), f);
  }
  const text = [...problems, ...notes].join("; ");
  return {
    outcome: problems.length ? "unprocessed" : "processed",
    reason: text ? text.slice(0, MAX_REASON) : null,
    counts: {
      messages: results.reduce((n, r) => n + r.counts.messages, 0),
      statuses: results.reduce((n, r) => n + r.counts.statuses, 0),
      other: results.reduce((n, r) => n + r.counts.other, 0),
    },
    followUps: [...followUps.values()],
  };
}

function unprocessed(reason: string): Processed {
  return { outcome: "unprocessed", reason, counts: { messages: 0, statuses: 0, other: 0 }, followUps: [] };
}

/**
 * The organization an envelope belongs to, found before it is processed so that the stored
 * envelope keeps it whatever happens next (a failure included): the owner of the numbers
 * (`metadata.phone_number_id`) and WABAs (`entry[].id`, for template and account fields) its
 * changes name. Only an organization's own envelopes are shown to its admins, so an envelope that
 * maps to none (unknown number, not an envelope) or to several (a WABA shared across
 * organizations: each would read the others' raw bodies) has no owner and is left to the server
 * log. The lookups are the ones processing makes next (phone numbers come from a cache).
 */
async function envelopeOwner(parsed: ParsedEnvelope): Promise<{ orgId: ObjectId | null; orgIds: ObjectId[] }> {
  if (!parsed.success) return { orgId: null, orgIds: [] };
  const orgs = new Map<string, ObjectId>();
  const wabas = new Map<string, Promise<AccountRef[]>>();
  for (const entry of parsed.data.entry) {
    for (const { field, value } of entry.changes) {
      const phoneNumberId = (value.metadata as { phone_number_id?: unknown } | undefined)?.phone_number_id;
      let accounts: (AccountRef | null)[] = [];
      if (typeof phoneNumberId === "string" && phoneNumberId) accounts = [await accountByPhoneNumberId(phoneNumberId)];
      else if (isTemplateField(field) || isAccountField(field)) {
        if (!wabas.has(entry.id)) wabas.set(entry.id, accountsByWabaId(entry.id));
        accounts = await wabas.get(entry.id)!;
      }
      for (const a of accounts) if (a) orgs.set(a.orgId.toHexString(), a.orgId);
    }
  }
  const orgIds = [...orgs.values()];
  return { orgId: orgIds.length === 1 ? orgIds[0]! : null, orgIds };
}

function parseBody(raw: Buffer | string): { ok: true; json: unknown } | { ok: false } {
  try {
    return { ok: true, json: JSON.parse(typeof raw === "string" ? raw : raw.toString("utf8")) };
  } catch {
    return { ok: false };
  }
}

const INVALID_JSON = "The request body is not valid JSON";

/**
 * One signed delivery: find its organization, handle it, keep the raw envelope with its outcome
 * (the durable record that organization's admins can inspect and replay), schedule follow-up work,
 * answer. A database that is unreachable throws (the route answers 503 with Retry-After and Meta
 * retries; every write is idempotent); anything else that fails on a payload we accepted (a bug, a
 * document the database refuses) is recorded as `failed` and answered 200, since Meta retrying for
 * 7 days cannot fix it. An envelope no organization owns is visible to no
 * organization's admin: it is stored (for retention and a platform operator) and logged.
 */
export async function receiveWebhook(raw: Buffer, requestId: string): Promise<Response> {
  const receivedAt = new Date();
  const base = { _id: new ObjectId(), source: "whatsapp" as const, bodyHash: createHash("sha256").update(raw).digest("hex"), rawBody: raw.toString("utf8"), receivedAt };
  const eventId = base._id.toHexString();
  const body = parseBody(raw);
  if (!body.ok) {
    await insertWebhookEvent({ ...base, orgId: null, outcome: "invalid_json", reason: INVALID_JSON, counts: { messages: 0, statuses: 0, other: 0 }, attempts: 1, lastProcessedAt: receivedAt });
    log.warn("webhook.invalid_json", { requestId, eventId, reason: INVALID_JSON });
    throw new ApiError("bad_request", INVALID_JSON);
  }
  const parsed = envelopeSchema.safeParse(body.json);
  const { orgId, orgIds } = await envelopeOwner(parsed);
  if (orgIds.length > 1) log.warn("webhook.envelope_several_orgs", { requestId, eventId, orgIds: orgIds.map((o) => o.toHexString()) });
  let processed: Processed;
  try {
    processed = await processEnvelope(parsed);
  } catch (err) {
    const failed = { ...base, orgId, outcome: "failed" as const, reason: errorText(err), counts: { messages: 0, statuses: 0, other: 0 }, attempts: 1, lastProcessedAt: new Date() };
    // Only what a retry can fix goes back to Meta (503 + Retry-After: it redelivers, and every
    // write is idempotent). A payload that fails the same way every time (a bug, a document the
    // database refuses) is recorded as failed, for an admin to see and replay, and acknowledged:
    // Meta retrying it for 7 days would only delay everything behind it.
    if (isTransientDbError(err)) {
      await insertWebhookEvent(failed).catch((e) => log.warn("webhook.event_not_stored", { requestId, eventId, err: e }));
      throw err;
    }
    await insertWebhookEvent(failed);
    log.error("webhook.envelope_failed", { requestId, eventId, orgId: orgId?.toHexString() ?? null, err });
    return Response.json({ received: true, outcome: "failed" });
  }
  const { followUps, ...stored } = processed;
  await insertWebhookEvent({ ...base, ...stored, orgId, attempts: 1, lastProcessedAt: new Date() });
  await Promise.all(followUps.map(scheduleFollowUps));
  if (!orgId) log.warn("webhook.envelope_unmapped", { requestId, eventId, outcome: processed.outcome, reason: processed.reason });
  else if (processed.outcome === "unprocessed") log.warn("webhook.envelope_unprocessed", { requestId, eventId, reason: processed.reason });
  return Response.json({ received: true, outcome: processed.outcome });
}

function errorText(err: unknown) {
  return (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, MAX_REASON);
}

/**
 * Reprocesses a stored envelope of an organization (admin replay). Ingestion is idempotent, so what
 * was stored before stays once; what could not be handled then is handled now. The envelope keeps
 * its organization.
 */
export async function replayWebhookEvent(event: Pick<WebhookEventDoc, "_id" | "orgId" | "rawBody">): Promise<WebhookEventDoc> {
  const events = rawCollection("webhook_events");
  const body = parseBody(event.rawBody);
  let update: Pick<WebhookEventDoc, "outcome" | "reason" | "counts"> | Pick<WebhookEventDoc, "outcome" | "reason">;
  let followUps: FollowUps[] = [];
  if (!body.ok) update = { outcome: "invalid_json", reason: INVALID_JSON };
  else {
    try {
      const processed = await processEnvelope(envelopeSchema.safeParse(body.json));
      ({ followUps } = processed);
      update = { outcome: processed.outcome, reason: processed.reason, counts: processed.counts };
    } catch (err) {
      if (isTransientDbError(err)) throw err;
      update = { outcome: "failed", reason: errorText(err) };
    }
  }
  const doc = await events.findOneAndUpdate(
    { _id: event._id, orgId: event.orgId },
    { $set: { ...update, lastProcessedAt: new Date() }, $inc: { attempts: 1 } },
    { returnDocument: "after" },
  );
  await Promise.all(followUps.map(scheduleFollowUps));
  if (!doc) throw new ApiError("not_found", "Webhook event not found");
  return doc;
}
