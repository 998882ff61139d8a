import { createHash, randomBytes } from "node:crypto";
import { ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { DEFAULT_RATE_LIMIT_PER_MINUTE, type ApiKeyResponse, type CreateApiKeyBody } from "@/lib/schemas/api-key";
import type { ApiKeyDoc } from "@/lib/schemas/platform";

/** Every secret starts with this, so secret scanners (and people) recognise a leaked key. */
export const KEY_PREFIX = "wcrm_";
/** Characters of the secret kept in the clear: the marker plus 8 random characters. */
const VISIBLE = KEY_PREFIX.length + 8;
/** lastUsedAt is written at most this often per key: a busy key costs no write per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export function hashApiKey(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

export function toApiKeyResponse(k: ApiKeyDoc): ApiKeyResponse {
  return {
    id: k._id.toHexString(),
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
    rateLimitPerMinute: k.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE,
    createdAt: k.createdAt.toISOString(),
    createdByName: k.createdByName,
  };
}

/**
 * Creates a key and returns its secret, the only time it exists outside the caller: 32 random
 * bytes (base64url), of which only the sha256 hash and the first characters are stored.
 */
export async function createApiKey(orgId: ObjectId, actor: Actor, input: CreateApiKeyBody): Promise<{ apiKey: ApiKeyDoc; secret: string }> {
  const secret = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const now = new Date();
  const doc: Omit<ApiKeyDoc, "orgId"> = {
    _id: new ObjectId(),
    name: input.name,
    prefix: secret.slice(0, VISIBLE),
    hash: hashApiKey(secret),
    scopes: input.scopes,
    expiresAt: input.expiresAt ?? null,
    rateLimitPerMinute: input.rateLimitPerMinute ?? null,
    lastUsedAt: null,
    revokedAt: null,
    createdBy: actor.id,
    createdByName: actor.name,
    createdAt: now,
    updatedAt: now,
  };
  await scoped(orgId)("api_keys").insertOne(doc);
  await recordActivity(orgId, actor, { action: "api_key.created", entityType: "api_key", entityId: doc._id, after: { name: doc.name, prefix: doc.prefix, scopes: doc.scopes, expiresAt: doc.expiresAt?.toISOString() ?? null } });
  return { apiKey: { ...doc, orgId }, secret };
}

/** The organization's keys, newest first (revoked ones included: the page shows when they stopped). */
export async function listApiKeys(orgId: ObjectId): Promise<ApiKeyDoc[]> {
  return scoped(orgId)("api_keys").find({}, { sort: { createdAt: -1 }, limit: 500 }).toArray();
}

/** Revokes at once: the next request with the key gets 401. Revoking twice keeps the first time. */
export async function revokeApiKey(orgId: ObjectId, actor: Actor, id: ObjectId): Promise<ApiKeyDoc> {
  const db = scoped(orgId)("api_keys");
  const now = new Date();
  const updated = await db.findOneAndUpdate({ _id: id, revokedAt: null }, { $set: { revokedAt: now, updatedAt: now } }, { returnDocument: "after" });
  if (!updated) {
    const existing = await db.findOne({ _id: id });
    if (!existing) throw new ApiError("not_found", "API key not found");
    return existing;
  }
  await recordActivity(orgId, actor, { action: "api_key.revoked", entityType: "api_key", entityId: id, before: { revokedAt: null }, after: { name: updated.name, revokedAt: now.toISOString() } });
  return updated;
}

/**
 * The key a request's secret belongs to, or 401. Unknown, revoked and expired keys get the same
 * message apart from the reason, and the lookup is by hash, so nothing about other keys leaks.
 */
export async function authenticateApiKey(secret: string, now = new Date()): Promise<ApiKeyDoc> {
  // Found across organizations on purpose: the key is what names the organization.
  const key = await rawCollection("api_keys").findOne({ hash: hashApiKey(secret) });
  if (!key) throw new ApiError("unauthorized", "The API key is not valid");
  if (key.revokedAt) throw new ApiError("unauthorized", "The API key has been revoked");
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) throw new ApiError("unauthorized", "The API key has expired");
  return key;
}

/** Records use, at most once per LAST_USED_RESOLUTION_MS: the condition makes concurrent requests write once. */
export async function touchApiKey(key: ApiKeyDoc, now = new Date()): Promise<void> {
  if (key.lastUsedAt && now.getTime() - key.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  await scoped(key.orgId)("api_keys").updateOne({ _id: key._id, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lt: stale } }] }, { $set: { lastUsedAt: now } });
}
