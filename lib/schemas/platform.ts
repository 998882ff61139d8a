import { z } from "zod";
import { apiScope } from "./api-key";
import { objectId, tenantFields } from "./common";

/** API keys are stored as a sha256 hash with a visible prefix; the secret is shown once. */
export const apiKeyDoc = z.object({
  ...tenantFields,
  name: z.string(),
  /** The secret's first characters, kept in the clear so a person can tell keys apart. */
  prefix: z.string(),
  /** sha256 of the whole secret (hex): the secret itself is shown once and never stored. */
  hash: z.string(),
  scopes: z.array(apiScope),
  expiresAt: z.date().nullable(),
  /** Null: DEFAULT_RATE_LIMIT_PER_MINUTE. */
  rateLimitPerMinute: z.number().int().nullable(),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  createdBy: objectId.nullable(),
  createdByName: z.string().nullable(),
});
export type ApiKeyDoc = z.infer<typeof apiKeyDoc>;

/** One key's request count in one fixed window; `_id` is `<keyId>:<window start ms>`, so every instance counts in the same document. */
export const apiRateWindowDoc = z.object({
  _id: z.string(),
  orgId: objectId,
  keyId: objectId,
  windowStart: z.date(),
  count: z.number().int(),
  /** TTL on Atlas; the retention job is the fallback where no TTL runs. */
  expiresAt: z.date(),
});
export type ApiRateWindowDoc = z.infer<typeof apiRateWindowDoc>;

/** A public-API write made with an `Idempotency-Key`: the request's fingerprint and the first response, replayed to retries. */
export const apiIdempotencyDoc = z.object({
  _id: objectId,
  orgId: objectId,
  key: z.string(),
  apiKeyId: objectId,
  /** sha256 of method, path and body: the same key with another request is refused (422). */
  requestHash: z.string(),
  response: z.object({ status: z.number().int(), body: z.unknown() }).nullable(),
  createdAt: z.date(),
  expiresAt: z.date(),
});
export type ApiIdempotencyDoc = z.infer<typeof apiIdempotencyDoc>;

/**
 * Outbound webhooks: events this product posts to customers' systems, signed with their secret
 * (Standard Webhooks, lib/outbound-webhooks/). `consecutiveFailures` counts failed attempts since
 * the last success; at the limit the endpoint is switched off with `disabledReason` for admins.
 */
export const webhookEndpointDoc = z.object({
  ...tenantFields,
  url: z.string(),
  description: z.string(),
  /** `whsec_` + base64 of 32 random bytes, as the Standard Webhooks spec writes secrets. */
  secret: z.string(),
  events: z.array(z.string()),
  active: z.boolean(),
  disabledReason: z.string().nullable(),
  disabledAt: z.date().nullable(),
  consecutiveFailures: z.number().int(),
  lastSuccessAt: z.date().nullable(),
  lastFailureAt: z.date().nullable(),
  createdBy: objectId.nullable(),
});
export type WebhookEndpointDoc = z.infer<typeof webhookEndpointDoc>;

/** Failed sign-ins per account or per IP; the lock lives in the database so every instance sees it. */
export const loginThrottleDoc = z.object({
  _id: objectId,
  key: z.string(),
  failures: z.number().int(),
  windowStartedAt: z.date(),
  lockedUntil: z.date().nullable(),
  updatedAt: z.date(),
});
export type LoginThrottleDoc = z.infer<typeof loginThrottleDoc>;

/**
 * Installation-wide state, one document per fact (not owned by an organization). `first_run_setup`:
 * the claim that lets exactly one first-run setup run, and what it created. `demo_data`: the demo
 * seed ran (`npm run dev`, `npm run seed`), and the sign-in page may show its credentials.
 */
export const firstRunSetupState = z.object({
  _id: z.literal("first_run_setup"),
  claimId: objectId,
  claimedAt: z.date(),
  orgId: objectId.nullable(),
  userId: objectId.nullable(),
  completedAt: z.date().nullable(),
});
export const demoDataState = z.object({
  _id: z.literal("demo_data"),
  orgId: objectId,
  /** The demo admin's sign-in: a published password (README), shown only while that user still has it. */
  signIn: z.object({ email: z.string(), password: z.string() }),
  seededAt: z.date(),
});
export type DemoDataState = z.infer<typeof demoDataState>;
export const platformStateDoc = z.discriminatedUnion("_id", [firstRunSetupState, demoDataState]);
export type PlatformStateDoc = z.infer<typeof platformStateDoc>;
