import { createHmac, randomBytes } from "node:crypto";

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com/, spec "Signature scheme"): the
 * secret is `whsec_` + base64 of random bytes, and the signature is
 * `v1,` + base64(HMAC-SHA256(base64-decoded secret, `${id}.${timestamp}.${body}`)).
 */
const SECRET_PREFIX = "whsec_";

/** 32 random bytes: the spec asks for 24 to 64. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
}

export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}
