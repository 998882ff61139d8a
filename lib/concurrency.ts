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

/**
 * Runs calls with the same key one after another on this instance (different keys run freely).
 * FerretDB applies an update as read-modify-write of the whole document, so two concurrent updates
 * of one document can lose one (an unread increment, a status in the history); MongoDB's are
 * atomic. Serializing the webhook's writes per conversation and per message on the instance makes a
 * customer's burst of messages and a message's quick sent/delivered/read exact on both.
 */
export function serialByKey() {
  const tails = new Map<string, Promise<unknown>>();
  return function run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const result = (tails.get(key) ?? Promise.resolve()).then(fn, fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return result;
  };
}
