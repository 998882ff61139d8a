import { createHash } from "node:crypto";
import { ObjectId } from "mongodb";
import type { NextRequest } from "next/server";
import { ApiError, isDuplicateKeyError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import type { ApiIdempotencyDoc } from "@/lib/schemas/platform";

/** How long a key is remembered: a client retrying later than this is making a new request. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
const KEY = /^[\x21-\x7e]{1,255}$/;

export type StoredResponse = { status: number; body: unknown };

/** The request's `Idempotency-Key` header (required where a retry must not repeat a side effect). */
export function idempotencyKeyOf(req: NextRequest): string {
  const key = req.headers.get("idempotency-key");
  if (!key) throw new ApiError("bad_request", "Send an Idempotency-Key header (e.g. a UUID) so a retried request is not performed twice");
  if (!KEY.test(key)) throw new ApiError("bad_request", "The Idempotency-Key must be 1-255 printable ASCII characters without spaces");
  return key;
}

/** What identifies "the same request": method, path and the validated body (zod's output has a fixed key order). */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash("sha256").update(JSON.stringify([method, path, body ?? null])).digest("hex");
}

/**
 * Runs `perform` once per (organization, key): the first call claims the key with a unique insert;
 * a retry with the same request gets the first response back; a retry with another request is a
 * 422. A retry that arrives while the first is still running runs `perform` too, so `perform` must
 * itself be idempotent for the key (sendMessage is, by its message key); the first stored response
 * is the one every later retry gets.
 */
export async function idempotent(
  orgId: ObjectId,
  apiKeyId: ObjectId,
  key: string,
  fingerprint: string,
  perform: () => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  const records = scoped(orgId)("api_idempotency_keys");
  const now = new Date();
  const fresh: Omit<ApiIdempotencyDoc, "orgId"> = { _id: new ObjectId(), key, apiKeyId, requestHash: fingerprint, response: null, createdAt: now, expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS) };
  let record: ApiIdempotencyDoc | null;
  try {
    await records.insertOne(fresh);
    record = { ...fresh, orgId };
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    record = await records.findOne({ key });
  }
  if (!record) throw new ApiError("conflict", "This Idempotency-Key expired while the request ran; retry with a new key");
  if (record.requestHash !== fingerprint) throw new ApiError("unprocessable_entity", "This Idempotency-Key was already used with a different request");
  if (record.response) return { ...record.response, replayed: true };

  const response = await perform();
  const stored = await records.updateOne({ _id: record._id, response: null }, { $set: { response } });
  if (stored.modifiedCount === 1) return { ...response, replayed: false };
  // A concurrent retry stored its response first: that is the first response.
  const winner = await records.findOne({ _id: record._id });
  return winner?.response ? { ...winner.response, replayed: true } : { ...response, replayed: false };
}
