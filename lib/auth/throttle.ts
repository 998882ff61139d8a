import { rawCollection } from "@/lib/db/collections";

/**
 * Failed sign-ins, throttled so that guessing is slow and nobody can lock an owner out:
 * - per (account, address): 5 failures lock that pair for 15 minutes (a device guessing one account);
 * - per address: 20 failures lock the address for 15 minutes (one device guessing many accounts);
 * - per account, from every address: past 10 failures each further attempt waits a growing delay
 *   (2, 4, 8 ... seconds, at most a minute), which slows a distributed guesser to a minute per try
 *   while the owner, from an address of their own, waits seconds at most.
 * Counters live in MongoDB so every serverless instance sees the same state; a window restarts
 * after WINDOW_MS without failures.
 */
export const PAIR_MAX_FAILURES = 5;
export const IP_MAX_FAILURES = 20;
export const ACCOUNT_FREE_FAILURES = 10;
export const WINDOW_MS = 15 * 60 * 1000;
export const LOCK_MS = WINDOW_MS;
const MAX_ACCOUNT_DELAY_MS = 60_000;

export type ThrottleKeys = { email: string; ip: string | null };
export type Refusal = { kind: "locked" | "slow_down"; until: Date };
/** What recordFailure did, so the caller can log and audit a new lock. */
export type FailureResult = { locked: ("pair" | "ip")[] };

const norm = (email: string) => email.toLowerCase();
const pairKey = (k: ThrottleKeys) => `pair:${norm(k.email)}|${k.ip ?? "unknown"}`;
const ipKey = (ip: string) => `ip:${ip}`;
const accountKey = (email: string) => `account:${norm(email)}`;

export function accountDelayMs(failures: number): number {
  return failures < ACCOUNT_FREE_FAILURES ? 0 : Math.min(2 ** (failures - ACCOUNT_FREE_FAILURES + 1) * 1000, MAX_ACCOUNT_DELAY_MS);
}

/** Why this attempt is refused before its password is even checked, if it is. */
export async function refusal(k: ThrottleKeys, now = new Date()): Promise<Refusal | null> {
  const keys = [pairKey(k), accountKey(k.email), ...(k.ip ? [ipKey(k.ip)] : [])];
  const docs = await rawCollection("login_throttles").find({ key: { $in: keys } }).toArray();
  const locks = docs.filter((d) => !d.key.startsWith("account:") && d.lockedUntil && d.lockedUntil > now).map((d) => d.lockedUntil!.getTime());
  if (locks.length) return { kind: "locked", until: new Date(Math.max(...locks)) };
  const account = docs.find((d) => d.key.startsWith("account:"));
  if (account && account.windowStartedAt.getTime() > now.getTime() - WINDOW_MS) {
    const until = account.updatedAt.getTime() + accountDelayMs(account.failures);
    if (until > now.getTime()) return { kind: "slow_down", until: new Date(until) };
  }
  return null;
}

/** Counts one failure on each key; $inc is atomic across concurrent failures on every instance. */
export async function recordFailure(k: ThrottleKeys, now = new Date()): Promise<FailureResult> {
  const col = rawCollection("login_throttles");
  const result: FailureResult = { locked: [] };
  const targets = [
    { key: pairKey(k), max: PAIR_MAX_FAILURES, kind: "pair" as const },
    ...(k.ip ? [{ key: ipKey(k.ip), max: IP_MAX_FAILURES, kind: "ip" as const }] : []),
    { key: accountKey(k.email), max: null, kind: null },
  ];
  for (const { key, max, kind } of targets) {
    // A new window when the last one is older than WINDOW_MS.
    await col.updateOne({ key, windowStartedAt: { $lt: new Date(now.getTime() - WINDOW_MS) } }, { $set: { failures: 0, windowStartedAt: now, lockedUntil: null } });
    const doc = await col.findOneAndUpdate(
      { key },
      { $inc: { failures: 1 }, $set: { updatedAt: now }, $setOnInsert: { windowStartedAt: now, lockedUntil: null } },
      { upsert: true, returnDocument: "after" },
    );
    if (max !== null && kind && doc && doc.failures >= max) {
      await col.updateOne({ key }, { $set: { lockedUntil: new Date(now.getTime() + LOCK_MS), failures: 0, windowStartedAt: now } });
      result.locked.push(kind);
    }
  }
  return result;
}

/** A successful sign-in clears this device's and the account's counters (not the address's: it may be guessing others). */
export async function clearFailures(k: ThrottleKeys) {
  await rawCollection("login_throttles").deleteMany({ key: { $in: [pairKey(k), accountKey(k.email)] } });
}
