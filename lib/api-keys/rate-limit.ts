import { isDuplicateKeyError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import { DEFAULT_RATE_LIMIT_PER_MINUTE } from "@/lib/schemas/api-key";
import type { ApiKeyDoc } from "@/lib/schemas/platform";

export const RATE_WINDOW_MS = 60_000;

export type RateDecision = { allowed: boolean; limit: number; remaining: number; resetAt: Date; retryAfterSeconds: number };

/**
 * A fixed-window counter per key, in the database so every serverless instance counts in the same
 * document: one atomic `$inc` upsert per request (no read-then-write). Two first requests of a
 * window may race on the upsert; the loser's duplicate-key error is retried once as a plain `$inc`.
 */
export async function consumeRateLimit(key: ApiKeyDoc, now = new Date()): Promise<RateDecision> {
  const limit = key.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE;
  const windowStart = Math.floor(now.getTime() / RATE_WINDOW_MS) * RATE_WINDOW_MS;
  const resetAt = new Date(windowStart + RATE_WINDOW_MS);
  const _id = `${key._id.toHexString()}:${windowStart}`;
  const windows = scoped(key.orgId)("api_rate_windows");
  const bump = () =>
    windows.findOneAndUpdate(
      { _id },
      { $inc: { count: 1 }, $setOnInsert: { keyId: key._id, windowStart: new Date(windowStart), expiresAt: new Date(resetAt.getTime() + RATE_WINDOW_MS) } },
      { upsert: true, returnDocument: "after" },
    );
  let doc;
  try {
    doc = await bump();
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    doc = await bump();
  }
  const count = doc?.count ?? 1;
  return {
    allowed: count <= limit,
    limit,
    remaining: Math.max(0, limit - count),
    resetAt,
    retryAfterSeconds: Math.max(1, Math.ceil((resetAt.getTime() - now.getTime()) / 1000)),
  };
}
