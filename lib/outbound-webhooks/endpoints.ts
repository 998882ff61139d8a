import { ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { diff, recordActivity, type Actor } from "@/lib/audit/audit";
import { scoped } from "@/lib/db/scoped";
import type { WebhookEndpointDoc } from "@/lib/schemas/platform";
import type { CreateWebhookEndpointBody, UpdateWebhookEndpointBody, WebhookEndpoint } from "@/lib/schemas/outbound-webhook";
import { generateWebhookSecret } from "./signature";
import { assertEndpointUrl } from "./url-policy";

/** An organization's endpoints are few (a settings page of them); more are refused. */
const MAX_ENDPOINTS = 50;

export function toWebhookEndpoint(e: WebhookEndpointDoc): WebhookEndpoint {
  return {
    id: e._id.toHexString(),
    url: e.url,
    description: e.description,
    secret: e.secret,
    events: e.events,
    active: e.active,
    disabledReason: e.disabledReason,
    disabledAt: e.disabledAt?.toISOString() ?? null,
    consecutiveFailures: e.consecutiveFailures,
    lastSuccessAt: e.lastSuccessAt?.toISOString() ?? null,
    lastFailureAt: e.lastFailureAt?.toISOString() ?? null,
    createdAt: e.createdAt.toISOString(),
  };
}

export async function listWebhookEndpoints(orgId: ObjectId): Promise<WebhookEndpointDoc[]> {
  return scoped(orgId)("webhook_endpoints").find({}, { sort: { createdAt: 1 }, limit: MAX_ENDPOINTS }).toArray();
}

export async function getWebhookEndpointOrThrow(orgId: ObjectId, id: ObjectId): Promise<WebhookEndpointDoc> {
  const endpoint = await scoped(orgId)("webhook_endpoints").findOne({ _id: id });
  if (!endpoint) throw new ApiError("not_found", "Webhook endpoint not found");
  return endpoint;
}

export async function createWebhookEndpoint(orgId: ObjectId, actor: Actor, body: CreateWebhookEndpointBody): Promise<WebhookEndpointDoc> {
  assertEndpointUrl(body.url);
  const db = scoped(orgId)("webhook_endpoints");
  if ((await db.countDocuments({}, { limit: MAX_ENDPOINTS })) >= MAX_ENDPOINTS) throw new ApiError("conflict", `An organization can have at most ${MAX_ENDPOINTS} webhook endpoints`);
  const now = new Date();
  const doc = {
    _id: new ObjectId(),
    url: body.url,
    description: body.description,
    secret: generateWebhookSecret(),
    events: body.events,
    active: true,
    disabledReason: null,
    disabledAt: null,
    consecutiveFailures: 0,
    lastSuccessAt: null,
    lastFailureAt: null,
    createdBy: actor.id,
    createdAt: now,
    updatedAt: now,
  };
  await db.insertOne(doc);
  await recordActivity(orgId, actor, { action: "webhook_endpoint.created", entityType: "settings", entityId: doc._id, after: { url: doc.url, events: doc.events } });
  return { ...doc, orgId };
}

/** Edits an endpoint; `active: true` re-enables one that was switched off, clearing its reason and failure streak. */
export async function updateWebhookEndpoint(orgId: ObjectId, actor: Actor, id: ObjectId, patch: UpdateWebhookEndpointBody): Promise<WebhookEndpointDoc> {
  const before = await getWebhookEndpointOrThrow(orgId, id);
  if (patch.url) assertEndpointUrl(patch.url);
  const { active, ...fields } = patch;
  const set: Partial<WebhookEndpointDoc> = { ...fields, updatedAt: new Date() };
  if (active) Object.assign(set, { active: true, disabledReason: null, disabledAt: null, consecutiveFailures: 0 });
  const after = await scoped(orgId)("webhook_endpoints").findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: "after" });
  if (!after) throw new ApiError("not_found", "Webhook endpoint not found");
  const change = diff({ url: before.url, description: before.description, events: before.events.join(","), active: before.active }, {
    url: patch.url,
    description: patch.description,
    events: patch.events?.join(","),
    active: patch.active,
  });
  if (change.changed) {
    await recordActivity(orgId, actor, { action: active && !before.active ? "webhook_endpoint.enabled" : "webhook_endpoint.updated", entityType: "settings", entityId: id, before: change.before, after: change.after });
  }
  return after;
}

/** Deletes the endpoint; its delivery log goes with it (pending attempts find no endpoint and stop). */
export async function deleteWebhookEndpoint(orgId: ObjectId, actor: Actor, id: ObjectId): Promise<void> {
  const before = await getWebhookEndpointOrThrow(orgId, id);
  await scoped(orgId)("webhook_endpoints").deleteOne({ _id: id });
  await scoped(orgId)("webhook_deliveries").deleteMany({ endpointId: id });
  await recordActivity(orgId, actor, { action: "webhook_endpoint.deleted", entityType: "settings", entityId: id, before: { url: before.url, events: before.events } });
}
