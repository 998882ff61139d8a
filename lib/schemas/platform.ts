import { z } from "zod";
import { objectId, tenantFields } from "./common";

/** API keys are stored as a sha256 hash with a visible prefix; the secret is shown once. */
export const apiKeyDoc = z.object({
  ...tenantFields,
  name: z.string(),
  prefix: z.string(),
  hash: z.string(),
  permissions: z.array(z.string()),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  createdBy: objectId.nullable(),
});
export type ApiKeyDoc = z.infer<typeof apiKeyDoc>;

/** Outbound webhooks: events this product posts to customers' systems, signed with their secret. */
export const webhookEndpointDoc = z.object({
  ...tenantFields,
  url: z.string(),
  secret: z.string(),
  events: z.array(z.string()),
  active: z.boolean(),
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
