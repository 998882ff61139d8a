import type { Document, ObjectId } from "mongodb";
import type { SessionUser } from "@/lib/auth/session";
import { scoped } from "@/lib/db/scoped";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import type { ListMessagesQuery, MessageResponse } from "@/lib/schemas/inbox";
import type { MessageDoc } from "@/lib/schemas/message";
import { assertCanSee, type Viewer } from "./access";
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

/**
 * A conversation the user may see (404 / 403 otherwise) with a page of its thread: newest first
 * by `(sentAt, _id)`, or (with `updatedAfter`) the messages changed since the last poll. One
 * command: the page is an uncorrelated `$lookup` sub-pipeline (it names its orgId: `scoped` pins
 * only the outer pipeline) on the conversation's own document.
 */
export async function getThread(
  user: Viewer & Pick<SessionUser, "settings">,
  conversationId: ObjectId,
  q: ListMessagesQuery,
): Promise<{ conversation: ConversationDoc; page: MessagePage }> {
  const serverTime = new Date(Date.now() - POLL_OVERLAP_MS).toISOString();
  const thread = { orgId: user.orgId, conversationId };
  const pipeline: Document[] = q.updatedAfter
    ? [{ $match: { ...thread, updatedAt: { $gt: q.updatedAfter } } }, { $sort: { updatedAt: 1 } }, { $limit: MAX_DELTA + 1 }]
    : [{ $match: { ...thread, ...(q.cursor ? beforeCursor("sentAt", q.cursor) : {}) } }, { $sort: { sentAt: -1, _id: -1 } }, { $limit: q.limit + 1 }];
  const [found] = await scoped(user.orgId)("conversations")
    .aggregate<ConversationDoc & { thread: MessageDoc[] }>([{ $match: { _id: conversationId } }, { $lookup: { from: "messages", pipeline, as: "thread" } }])
    .toArray();
  const { thread: rows, ...conversation } = assertCanSee(user, user.settings, found);
  if (q.updatedAfter) {
    if (rows.length > MAX_DELTA) return { conversation, page: { messages: [], nextCursor: null, hasMore: false, serverTime, reset: true } };
    rows.sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime() || a._id.toHexString().localeCompare(b._id.toHexString()));
    return { conversation, page: { messages: await toMessageResponses(user.orgId, rows), nextCursor: null, hasMore: false, serverTime } };
  }
  const hasMore = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  const oldest = page.at(-1);
  return {
    conversation,
    page: {
      messages: await toMessageResponses(user.orgId, page.reverse()),
      nextCursor: hasMore && oldest ? encodeCursor(oldest.sentAt, oldest._id) : null,
      hasMore,
      serverTime,
    },
  };
}
