import type { ObjectId } from "mongodb";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import type { MessageDoc } from "@/lib/schemas/message";
import type { WebhookEventDoc } from "@/lib/schemas/webhook-event";
import { insertNew } from "./insert-new";

type Pending<D> = { docs: D[]; resolve: (duplicates: Set<number>) => void; reject: (err: unknown) => void };

/**
 * Group commit for concurrent deliveries on one instance: while an insert is in flight, the next
 * deliveries' documents queue up and go together in the next `insertMany` (`ordered: false`). Idle,
 * a delivery's insert leaves at once (no timer, no added latency); under load, one round trip
 * carries many deliveries. Each caller still waits for its own documents to be written before
 * answering, and learns which of them were duplicates.
 */
function groupInserter<D>(insert: (docs: D[]) => Promise<{ duplicates: Set<number> }>) {
  const queue: Pending<D>[] = [];
  let flying = false;
  const MAX_DOCS = 1000;
  async function flush() {
    flying = true;
    while (queue.length) {
      const batch: Pending<D>[] = [];
      let size = 0;
      while (queue.length && (batch.length === 0 || size + queue[0]!.docs.length <= MAX_DOCS)) {
        const next = queue.shift()!;
        batch.push(next);
        size += next.docs.length;
      }
      try {
        const { duplicates } = await insert(batch.flatMap((p) => p.docs));
        let offset = 0;
        for (const p of batch) {
          p.resolve(new Set([...duplicates].filter((i) => i >= offset && i < offset + p.docs.length).map((i) => i - offset)));
          offset += p.docs.length;
        }
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    flying = false;
  }
  return (docs: D[]) =>
    new Promise<Set<number>>((resolve, reject) => {
      if (docs.length === 0) return resolve(new Set());
      queue.push({ docs, resolve, reject });
      if (!flying) void flush();
    });
}

const messageInserters = new Map<string, ReturnType<typeof groupInserter<Omit<MessageDoc, "orgId">>>>();

/** Inserts an organization's new inbound messages; returns the indexes of those already stored. */
export function insertMessages(orgId: ObjectId, docs: Omit<MessageDoc, "orgId">[]): Promise<Set<number>> {
  const key = orgId.toHexString();
  let inserter = messageInserters.get(key);
  if (!inserter) {
    inserter = groupInserter((batch: Omit<MessageDoc, "orgId">[]) => insertNew(scoped(orgId)("messages"), batch));
    messageInserters.set(key, inserter);
  }
  return inserter(docs);
}

const eventInserter = groupInserter(async (batch: WebhookEventDoc[]) => insertNew(await rawCollection("webhook_events"), batch));

/** Stores a received envelope (its `_id` is new, so it is never a duplicate). */
export async function insertWebhookEvent(doc: WebhookEventDoc): Promise<void> {
  await eventInserter([doc]);
}
