import { rawCollection } from "@/lib/db/collections";

/**
 * Failed sign-ins, throttled per account and per IP. The counters and locks live in MongoDB so every
 * serverless instance sees the same lock. A window restarts after LOCK_MS without failures.
 */
export const ACCOUNT_MAX_FAILURES = 5;
export const IP_MAX_FAILURES = 20;
export const LOCK_MS = 15 * 60 * 1000;

export type ThrottleKeys = { email: string; ip: string | null };

function keys({ email, ip }: ThrottleKeys) {
  return [
    { key: `account:${email.toLowerCase()}`, max: ACCOUNT_MAX_FAILURES },
    ...(ip ? [{ key: `ip:${ip}`, max: IP_MAX_FAILURES }] : []),
  ];
}

/** The time the caller is locked until, if any key is locked now. */
export async function lockedUntil(k: ThrottleKeys, now = new Date()): Promise<Date | null> {
  const col = rawCollection("login_throttles");
  const docs = await col.find({ key: { $in: keys(k).map((x) => x.key) }, lockedUntil: { $gt: now } }).toArray();
  const until = docs.map((d) => d.lockedUntil!.getTime());
  return until.length ? new Date(Math.max(...until)) : null;
}

export async function recordFailure(k: ThrottleKeys, now = new Date()) {
  const col = rawCollection("login_throttles");
  for (const { key, max } of keys(k)) {
    // Start a new window if the last one is older than LOCK_MS; $inc is atomic across concurrent failures.
    await col.updateOne(
      { key, windowStartedAt: { $lt: new Date(now.getTime() - LOCK_MS) } },
      { $set: { failures: 0, windowStartedAt: now, lockedUntil: null } },
    );
    const doc = await col.findOneAndUpdate(
      { key },
      { $inc: { failures: 1 }, $set: { updatedAt: now }, $setOnInsert: { windowStartedAt: now, lockedUntil: null } },
      { upsert: true, returnDocument: "after" },
    );
    if (doc && doc.failures >= max) {
      await col.updateOne({ key }, { $set: { lockedUntil: new Date(now.getTime() + LOCK_MS), failures: 0, windowStartedAt: now } });
    }
  }
}

export async function clearFailures(k: ThrottleKeys) {
  const col = rawCollection("login_throttles");
  await col.deleteMany({ key: `account:${k.email.toLowerCase()}` });
}
