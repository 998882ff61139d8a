import type { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";
import type { ListMessagesQuery, MessageResponse } from "@/lib/schemas/inbox";
import type { MessageDoc } from "@/lib/schemas/message";
import { beforeCursor, encodeCursor } from "./cursor";
import { POLL_OVERLAP_MS } from "./list-conversations";
import { toMessageResponses } from "./responses";

const MAX_DELTA = 200;

export type MessagePage = {
  /** Oldest first, as the thread shows them. */
  messages: MessageResponse[];
  /** Cursor for the next older page. */
  nextCursor: string | null;
  hasMore: boolean;
  serverTime: string;
  /** Live polling only: too many changes to merge, reload the newest page. */
  reset?: boolean;
};

/** A page of a thread, newest first by `(sentAt, _id)`, or (with `updatedAfter`) the messages changed since the last poll. */
export async function listMessages(orgId: ObjectId, conversationId: ObjectId, q: ListMessagesQuery): Promise<MessagePage> {
  const serverTime = new Date(Date.now() - POLL_OVERLAP_MS).toISOString();
  const db = scoped(orgId)("messages");
  if (q.updatedAfter) {
    const changed = (await db.find({ conversationId, updatedAt: { $gt: q.updatedAfter } }, { sort: { updatedAt: 1 }, limit: MAX_DELTA + 1 }).toArray()) as MessageDoc[];
    if (changed.length > MAX_DELTA) return { messages: [], nextCursor: null, hasMore: false, serverTime, reset: true };
    changed.sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime() || a._id.toHexString().localeCompare(b._id.toHexString()));
    return { messages: await toMessageResponses(orgId, changed), nextCursor: null, hasMore: false, serverTime };
  }
  const filter = q.cursor ? { conversationId, ...beforeCursor("sentAt", q.cursor) } : { conversationId };
  const rows = (await db.find(filter, { sort: { sentAt: -1, _id: -1 }, limit: q.limit + 1 }).toArray()) as MessageDoc[];
  const hasMore = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  const oldest = page.at(-1);
  return {
    messages: await toMessageResponses(orgId, page.reverse()),
    nextCursor: hasMore && oldest ? encodeCursor(oldest.sentAt, oldest._id) : null,
    hasMore,
    serverTime,
  };
}
