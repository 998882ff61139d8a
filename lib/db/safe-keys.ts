/**
 * Meta's free-form objects (a message's interactive/order/contacts payload, a status's pricing, an
 * ad referral, an account event) are stored as sent, but their keys are not ours: a `$`-prefixed
 * or dotted key is refused by some MongoDB engines and versions, and is ambiguous in update paths
 * and queries on all of them. Such objects are stored with their keys escaped (`%` -> `%25`, a
 * leading `$` -> `%24`, `.` -> `%2E`, so every key round-trips exactly) and unescaped where they
 * are read back. The raw envelope itself is kept as a string (`webhook_events.rawBody`).
 */
/** BSON allows 100 levels of nesting; deeper parts of a payload are kept as their JSON text. */
const MAX_DEPTH = 48;

const escapeKey = (k: string) => k.replace(/%/g, "%25").replace(/\./g, "%2E").replace(/^\$/, "%24");
const unescapeKey = (k: string) => k.replace(/%24|%2E|%25/g, (m) => (m === "%24" ? "$" : m === "%2E" ? "." : "%"));

function mapKeys(value: unknown, key: (k: string) => string, depth: number): unknown {
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  if (depth > MAX_DEPTH) return key === escapeKey ? JSON.stringify(value) : value;
  if (Array.isArray(value)) return value.map((v) => mapKeys(v, key, depth + 1));
  // Only plain objects (parsed JSON); BSON values such as ObjectId keep their identity.
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [key(k), mapKeys(v, key, depth + 1)]));
}

/** The object with every key made safe to store (deeply; arrays and values as they are). */
export function escapeKeys<T>(value: T): T {
  return mapKeys(value, escapeKey, 0) as T;
}

/** The inverse of escapeKeys: the object as Meta sent it. */
export function unescapeKeys<T>(value: T): T {
  return mapKeys(value, unescapeKey, 0) as T;
}
