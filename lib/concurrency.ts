/**
 * Group commit for concurrent requests on one instance: while a call to `run` is in flight, the
 * next callers' items queue up and go together in the following call. Idle, a caller's items leave
 * at once (no timer, so no added latency); under load, one round trip carries many callers. Each
 * caller waits for its own items and gets their results in its own order; if a call fails, every
 * caller in it gets the error (and, for the webhook, answers 5xx so Meta retries).
 *
 * Used where one database or HTTP round trip per item would otherwise dominate the webhook's cost:
 * message and envelope inserts, and job publishes (QStash's batch endpoint).
 */
export function groupCommit<I, R>(run: (items: I[]) => Promise<R[]>, maxItems: number): (items: I[]) => Promise<R[]> {
  type Pending = { items: I[]; resolve: (results: R[]) => void; reject: (err: unknown) => void };
  const queue: Pending[] = [];
  let flying = false;

  async function flush() {
    flying = true;
    while (queue.length) {
      const batch: Pending[] = [];
      let size = 0;
      // A caller's items are never split; one caller with more than maxItems goes alone.
      while (queue.length && (batch.length === 0 || size + queue[0]!.items.length <= maxItems)) {
        const next = queue.shift()!;
        batch.push(next);
        size += next.items.length;
      }
      try {
        const results = await run(batch.flatMap((p) => p.items));
        let offset = 0;
        for (const p of batch) {
          p.resolve(results.slice(offset, offset + p.items.length));
          offset += p.items.length;
        }
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    flying = false;
  }

  return (items) =>
    new Promise<R[]>((resolve, reject) => {
      if (items.length === 0) return resolve([]);
      queue.push({ items, resolve, reject });
      if (!flying) void flush();
    });
}
