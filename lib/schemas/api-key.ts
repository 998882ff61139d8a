import { z } from "zod";
import { idString } from "./common";

/** What a public-API key can reach: one scope per resource and level, e.g. `contacts:read`. */
export const apiResources = ["contacts", "conversations", "messages", "templates", "tickets"] as const;
export type ApiResource = (typeof apiResources)[number];
/** Each level includes the ones before it: `write` can read, `admin` can also delete. */
export const apiLevels = ["read", "write", "admin"] as const;
export type ApiLevel = (typeof apiLevels)[number];
export type ApiScope = `${ApiResource}:${ApiLevel}`;

export const apiScopes = apiResources.flatMap((r) => apiLevels.map((l) => `${r}:${l}` as ApiScope)) as [ApiScope, ...ApiScope[]];
export const apiScope = z.enum(apiScopes);

/** Whether a key holding `held` may do what `needed` names (same resource, same or higher level). */
export function scopeGrants(held: readonly string[], needed: ApiScope): boolean {
  const [resource, level] = needed.split(":") as [ApiResource, ApiLevel];
  const rank = apiLevels.indexOf(level);
  return held.some((s) => {
    const [r, l] = s.split(":");
    return r === resource && apiLevels.indexOf(l as ApiLevel) >= rank;
  });
}

/** Requests per minute a key gets unless its own limit says otherwise. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

export const createApiKeyBody = z.strictObject({
  name: z.string().trim().min(1, "must not be empty").max(80, "must be at most 80 characters"),
  scopes: z
    .array(apiScope)
    .min(1, "choose at least one scope")
    .transform((s) => [...new Set(s)]),
  /** Null or absent: the key never expires. */
  expiresAt: z.coerce
    .date()
    .nullable()
    .optional()
    .refine((d) => !d || d.getTime() > Date.now(), "must be in the future"),
  rateLimitPerMinute: z.number().int().min(1).max(100_000).nullable().optional(),
});
export type CreateApiKeyBody = z.output<typeof createApiKeyBody>;

export const apiKeyResponse = z.object({
  id: idString,
  name: z.string(),
  /** The first characters of the secret, shown so a person can tell keys apart. */
  prefix: z.string(),
  scopes: z.array(apiScope),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  rateLimitPerMinute: z.number(),
  createdAt: z.string(),
  createdByName: z.string().nullable(),
});
export type ApiKeyResponse = z.infer<typeof apiKeyResponse>;
