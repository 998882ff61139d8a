import type { ObjectId } from "mongodb";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { groupCommit } from "@/lib/concurrency";
import type { MessageDoc } from "@/lib/schemas/message";
import type { WebhookEventDoc } from "@/lib/schemas/webhook-event";
import { insertNew } from "./insert-new";

/** One `insertMany` carries at most this many documents of concurrent deliveries. */
const MAX_DOCS = 1000;

/** Group-committed `insertNew`: per document, whether it was already stored. */
function groupInserter<D>(insert: (docs: D[]) => Promise<{ duplicates: Set<number> }>) {
  return groupCommit(async (docs: D[]) => {
    const { duplicates } = await insert(docs);
    return docs.map((_, i) => duplicates.has(i));
  }, MAX_DOCS);
}

const messageInserters = new Map<string, ReturnType<typeof groupInserter<Omit<MessageDoc, "orgId">>>>();

/** Inserts an organization's new inbound messages; returns the indexes of those already stored. */
export async function insertMessages(orgId: ObjectId, docs: Omit<MessageDoc, "orgId">[]): Promise<Set<number>> {
  const key = orgId.toHexString();
  let inserter = messageInserters.get(key);
  if (!inserter) {
    inserter = groupInserter((batch: Omit<MessageDoc, "orgId">[]) => insertNew(scoped(orgId)("messages"), batch));
    messageInserters.set(key, inserter);
  }
  const duplicate = await inserter(docs);
  return new Set(duplicate.flatMap((d, i) => (d ? [i] : [])));
}

const eventInserter = groupInserter(async (batch: WebhookEventDoc[]) => insertNew(rawCollection("webhook_events"), batch));

/** Stores a received envelope (its `_id` is new, so it is never a duplicate). */
export async function insertWebhookEvent(doc: WebhookEventDoc): Promise<void> {
  await eventInserter([doc]);
}
