import { ObjectId, type Document } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import {
  activeStatuses,
  inboxViews,
  type ConversationResponse,
  type InboxView,
  type ListConversationsQuery,
  type StatusFilter,
  type ViewCounts,
} from "@/lib/schemas/inbox";
import type { SettingsValues } from "@/lib/schemas/settings";
import { queryTokens } from "@/lib/search/tokens";
import { canSee, visibilityFilter, type Viewer } from "./access";
import { beforeCursor, encodeCursor } from "./cursor";
import { toConversationResponse } from "./responses";

/**
 * A poll's `serverTime` is set this far in the past: a write that started before the poll but
 * committed after it still has `updatedAt > serverTime` next time. Clients merge by id, so the
 * overlap only repeats rows, it never loses one.
 */
export const POLL_OVERLAP_MS = 5_000;
/** More changes than this since the last poll: the client reloads the first page instead. */
const MAX_DELTA = 200;
/** Conversations found through message text, at most (the newest matching messages). */
const MAX_MESSAGE_HITS = 500;

function viewFilter(view: InboxView, userId: ObjectId): Document {
  switch (view) {
    case "mine":
      return { assigneeId: userId };
    case "unassigned":
      // AI-handled conversations have no assignee either; they have their own view until handed over.
      return { assigneeId: null, status: { $ne: "ai_handled" } };
    case "ai":
      return { status: "ai_handled" };
    case "all":
      return {};
  }
}

function statusFilter(status: StatusFilter): Document {
  if (status === "any") return {};
  if (status === "active") return { status: { $in: [...activeStatuses] } };
  return { status };
}

function and(parts: Document[]): Document {
  const nonEmpty = parts.filter((p) => Object.keys(p).length > 0);
  if (nonEmpty.length === 0) return {};
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  return { $and: nonEmpty };
}

function filtersOf(user: Viewer, q: ListConversationsQuery): Document[] {
  const status = q.status ?? (q.q ? "any" : "active");
  return [
    viewFilter(q.view, user._id),
    statusFilter(status),
    q.priority ? { priority: q.priority } : {},
    q.tag ? { tags: q.tag } : {},
    q.assignee ? { assigneeId: q.assignee === "none" ? null : new ObjectId(q.assignee) } : {},
  ];
}

/** The same filters evaluated in code, for the live delta (a changed conversation may have left the view). */
function matches(user: Viewer, q: ListConversationsQuery, c: ConversationDoc): boolean {
  const status = q.status ?? "active";
  const mine = c.assigneeId?.equals(user._id) ?? false;
  const inView =
    q.view === "mine" ? mine : q.view === "unassigned" ? c.assigneeId === null && c.status !== "ai_handled" : q.view === "ai" ? c.status === "ai_handled" : true;
  const inStatus = status === "any" || (status === "active" ? (activeStatuses as readonly string[]).includes(c.status) : c.status === status);
  const inAssignee = !q.assignee || (q.assignee === "none" ? c.assigneeId === null : c.assigneeId?.toHexString() === q.assignee);
  return inView && inStatus && (!q.priority || c.priority === q.priority) && (!q.tag || c.tags.includes(q.tag)) && inAssignee;
}

async function searchFilter(orgId: ObjectId, text: string): Promise<Document | null> {
  const tokens = queryTokens(text);
  if (tokens.length === 0) return null;
  const hits = await (
    await scoped(orgId)("messages").find(
      { searchTokens: { $all: tokens } },
      { projection: { conversationId: 1 }, sort: { sentAt: -1 }, limit: MAX_MESSAGE_HITS },
    )
  ).toArray();
  const ids = [...new Map(hits.map((h) => [h.conversationId.toHexString(), h.conversationId])).values()];
  return { $or: [{ searchTokens: { $all: tokens } }, ...(ids.length ? [{ _id: { $in: ids } }] : [])] };
}

export type ConversationPage = {
  conversations: ConversationResponse[];
  nextCursor: string | null;
  hasMore: boolean;
  serverTime: string;
};

export type ConversationDelta = {
  /** Changed conversations that belong in the list (insert or replace, then re-sort). */
  conversations: ConversationResponse[];
  /** Changed conversations that left the list (another view, another assignee, resolved...). */
  removedIds: string[];
  /** Too many changes to merge: reload the first page. */
  reset: boolean;
  serverTime: string;
};

/** One page of the list, newest activity first, keyset-paginated by `(lastActivityAt, _id)`. */
export async function listConversations(user: Viewer, settings: SettingsValues, q: ListConversationsQuery): Promise<ConversationPage> {
  const serverTime = new Date(Date.now() - POLL_OVERLAP_MS).toISOString();
  const parts = [visibilityFilter(user, settings), ...filtersOf(user, q)];
  if (q.q) {
    const search = await searchFilter(user.orgId, q.q);
    if (search) parts.push(search);
  }
  if (q.cursor) parts.push(beforeCursor("lastActivityAt", q.cursor));
  const rows = (await (
    await scoped(user.orgId)("conversations").find(and(parts), { sort: { lastActivityAt: -1, _id: -1 }, limit: q.limit + 1 })
  ).toArray()) as ConversationDoc[];
  const hasMore = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    conversations: page.map(toConversationResponse),
    nextCursor: hasMore && last ? encodeCursor(last.lastActivityAt, last._id) : null,
    hasMore,
    serverTime,
  };
}

/** What changed since `updatedAfter`, split into rows to merge and rows to drop. */
export async function conversationDelta(user: Viewer, settings: SettingsValues, q: ListConversationsQuery & { updatedAfter: Date }): Promise<ConversationDelta> {
  if (q.q) throw new ApiError("bad_request", "Live updates are not available for a search; reload the search instead");
  const serverTime = new Date(Date.now() - POLL_OVERLAP_MS).toISOString();
  const changed = (await (
    await scoped(user.orgId)("conversations").find({ updatedAt: { $gt: q.updatedAfter } }, { sort: { updatedAt: 1 }, limit: MAX_DELTA + 1 })
  ).toArray()) as ConversationDoc[];
  if (changed.length > MAX_DELTA) return { conversations: [], removedIds: [], reset: true, serverTime };
  const conversations: ConversationResponse[] = [];
  const removedIds: string[] = [];
  for (const c of changed) {
    if (canSee(user, settings, c) && matches(user, q, c)) conversations.push(toConversationResponse(c));
    else removedIds.push(c._id.toHexString());
  }
  return { conversations, removedIds, reset: false, serverTime };
}

/** The view tabs' counts (active conversations) and the unread badge, within what the user may see. */
export async function viewCounts(user: Viewer, settings: SettingsValues): Promise<ViewCounts> {
  const db = scoped(user.orgId)("conversations");
  const base = [visibilityFilter(user, settings), statusFilter("active")];
  const [mine, unassigned, ai, all, unread] = await Promise.all([
    ...inboxViews.map((v) => db.countDocuments(and([...base, viewFilter(v, user._id)]))),
    db.countDocuments(and([...base, { unreadCount: { $gt: 0 } }])),
  ]);
  return { mine: mine!, unassigned: unassigned!, ai: ai!, all: all!, unread: unread! };
}
