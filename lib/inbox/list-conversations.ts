import { ObjectId, type Document } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { isBefore, newestFirst, newestFirstOrder, type Position } from "@/lib/db/newest-first";
import { scoped } from "@/lib/db/scoped";
import { bucketOf } from "@/lib/db/time-keys";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import {
  activeStatuses,
  COUNT_CAP,
  inboxViews,
  type CountName,
  type ConversationResponse,
  type InboxView,
  type ListConversationsQuery,
  type StatusFilter,
  type ViewCounts,
} from "@/lib/schemas/inbox";
import type { SettingsValues } from "@/lib/schemas/settings";
import { queryTokens } from "@/lib/search/tokens";
import { canSee, type Viewer } from "./access";
import { decodeCursor, encodeCursor } from "./cursor";
import { toConversationResponse } from "./responses";

/**
 * A poll's `serverTime` is set this far in the past: a write that started before the poll but
 * committed after it still has `updatedAt > serverTime` next time. Clients merge by id, so the
 * overlap only repeats rows, it never loses one.
 */
export const POLL_OVERLAP_MS = 5_000;
/** More changes than this since the last poll: the client reloads the first page instead. */
const MAX_DELTA = 200;
/** Queries each count may use (see `viewCounts`). */
const COUNT_QUERIES = 12;
/** A poll older than this many minutes reloads the first page instead of merging changes. */
const MAX_DELTA_MINUTES = 15;
/** Message-text search reads the newest matching messages within this many bucket queries (see `newestFirst`). */
const MESSAGE_SEARCH_QUERIES = 4;

function viewFilter(view: InboxView, userId: ObjectId): Document {
  switch (view) {
    case "mine":
      return { assigneeId: userId };
    case "unassigned":
      // AI-handled conversations have no assignee either; they have their own view until handed over.
      // `assigned` rather than `assigneeId: null`: FerretDB pushes a boolean down, never a null.
      return { assigned: false, status: { $ne: "ai_handled" } };
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

const isEquality = (v: unknown) => typeof v !== "object" || v instanceof ObjectId || v instanceof Date || !Object.keys(v!).some((k) => k.startsWith("$"));

function filtersOf(user: Viewer, q: ListConversationsQuery): Document[] {
  const status = q.status ?? (q.q ? "any" : "active");
  return [
    viewFilter(q.view, user._id),
    statusFilter(status),
    q.priority ? { priority: q.priority } : {},
    q.tag ? { tags: q.tag } : {},
    q.assignee ? (q.assignee === "none" ? { assigned: false } : { assigneeId: new ObjectId(q.assignee) }) : {},
  ];
}

/** The view's filters evaluated in code: for what is not pushed down, and for the live delta (a changed conversation may have left the view). */
function matches(user: Viewer, q: ListConversationsQuery, c: ConversationDoc): boolean {
  const status = q.status ?? (q.q ? "any" : "active");
  const mine = c.assigneeId?.equals(user._id) ?? false;
  const inView =
    q.view === "mine" ? mine : q.view === "unassigned" ? c.assigneeId === null && c.status !== "ai_handled" : q.view === "ai" ? c.status === "ai_handled" : true;
  const inStatus = status === "any" || (status === "active" ? (activeStatuses as readonly string[]).includes(c.status) : c.status === status);
  const inAssignee = !q.assignee || (q.assignee === "none" ? c.assigneeId === null : c.assigneeId?.toHexString() === q.assignee);
  return inView && inStatus && (!q.priority || c.priority === q.priority) && (!q.tag || c.tags.includes(q.tag)) && inAssignee;
}

/** The query token to push down: the most specific (digits first: a phone or an order number; then the longest). */
function pushdownToken(tokens: string[]): string {
  return [...tokens].sort((a, b) => Number(/\d/.test(b)) - Number(/\d/.test(a)) || b.length - a.length)[0]!;
}

const hasTokens = (tokens: string[]) => (d: { searchTokens: string[] }) => tokens.every((t) => d.searchTokens.includes(t));

/**
 * What FerretDB can push down of the filter parts: their top-level equalities (not `null`), the
 * first one per field. The database returns a superset; the full filter is checked in code.
 */
function pushable(parts: Document[]): Document {
  const out: Document = {};
  for (const [k, v] of parts.flatMap((p) => Object.entries(p))) if (!k.startsWith("$") && v !== null && isEquality(v) && !(k in out)) out[k] = v;
  return out;
}

/** Conversations whose recent messages match the text (at most `limit`): the newest matches, within a query budget. */
async function messageHits(orgId: ObjectId, tokens: string[], limit: number): Promise<ObjectId[]> {
  const messages = scoped(orgId)("messages");
  type Hit = { _id: ObjectId; conversationId: ObjectId; sentAt: Date; searchTokens: string[] };
  const { rows } = await newestFirst<Hit>({
    run: async (bucket) =>
      (await messages.find({ searchTokens: pushdownToken(tokens), ...bucket }, { projection: { conversationId: 1, sentAt: 1, searchTokens: 1 } }).toArray()) as Hit[],
    prefix: "sent",
    time: (m) => m.sentAt,
    accept: hasTokens(tokens),
    limit,
    after: null,
    maxQueries: MESSAGE_SEARCH_QUERIES,
  });
  return [...new Map(rows.map((m) => [m.conversationId.toHexString(), m.conversationId])).values()].slice(0, limit);
}

const positionOf = (cursor: string | undefined): Position | null => (cursor ? decodeCursor(cursor) : null);
const activity = (c: ConversationDoc) => c.lastActivityAt;

/** The newest conversations matching `filter` (pushed down) and `accept` (checked here), by last activity. */
function walkConversations(orgId: ObjectId, filter: Document, opts: { accept: (c: ConversationDoc) => boolean; limit: number; after: Position | null; maxQueries?: number }) {
  const conversations = scoped(orgId)("conversations");
  return newestFirst<ConversationDoc>({
    run: async (bucket) => (await conversations.find({ ...filter, ...bucket }).toArray()) as ConversationDoc[],
    prefix: "activity",
    time: activity,
    ...opts,
  });
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

/**
 * One page of the list, newest activity first, keyset-paginated by `(lastActivityAt, _id)`. Read
 * bucket by bucket (`newestFirst`); a search adds the conversations of the newest messages whose
 * text matches, looked up by id.
 */
export async function listConversations(user: Viewer, settings: SettingsValues, q: ListConversationsQuery): Promise<ConversationPage> {
  const serverTime = new Date(Date.now() - POLL_OVERLAP_MS).toISOString();
  const conversations = scoped(user.orgId)("conversations");
  const tokens = q.q ? queryTokens(q.q) : [];
  // The database gets the equalities it can push down; the rest of the filter is `accept`.
  const filter = { ...pushable(filtersOf(user, q)), ...(tokens.length ? { searchTokens: pushdownToken(tokens) } : {}) };
  const accept = (c: ConversationDoc) => canSee(user, settings, c) && matches(user, q, c) && hasTokens(tokens)(c);
  const after = positionOf(q.cursor);
  const [walk, hitIds] = await Promise.all([
    walkConversations(user.orgId, filter, { accept, limit: q.limit + 1, after }),
    tokens.length ? messageHits(user.orgId, tokens, q.limit + 1) : Promise.resolve([]),
  ]);
  let rows = walk.rows;
  if (hitIds.length) {
    const seen = new Set(rows.map((c) => c._id.toHexString()));
    // One lookup per id: FerretDB pushes down `_id` equality but not `$in`.
    const hits = await Promise.all(hitIds.filter((id) => !seen.has(id.toHexString())).map((_id) => conversations.findOne({ _id })));
    const extra = hits.filter((c): c is ConversationDoc => !!c && canSee(user, settings, c) && matches(user, q, c) && isBefore(c.lastActivityAt, c._id, after));
    rows = [...rows, ...extra].sort(newestFirstOrder(activity));
  }
  const hasMore = rows.length > q.limit || walk.stoppedAt !== null;
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  const next = rows.length > q.limit && last ? encodeCursor(last.lastActivityAt, last._id) : walk.stoppedAt ? encodeCursor(walk.stoppedAt.at, ZERO_ID) : null;
  return { conversations: page.map(toConversationResponse), nextCursor: hasMore ? next : null, hasMore, serverTime };
}

/** With a time-only boundary, "strictly before (at, 000...0)" means strictly before `at`. */
const ZERO_ID = new ObjectId("000000000000000000000000");

/** What changed since `updatedAfter`, split into rows to merge and rows to drop. */
export async function conversationDelta(user: Viewer, settings: SettingsValues, q: ListConversationsQuery & { updatedAfter: Date }): Promise<ConversationDelta> {
  if (q.q) throw new ApiError("bad_request", "Live updates are not available for a search; reload the search instead");
  const serverTime = new Date(Date.now() - POLL_OVERLAP_MS).toISOString();
  // Minute buckets from the last poll to now (see time-keys.ts); a client away longer reloads instead.
  const from = bucketOf("minute", q.updatedAfter);
  const to = bucketOf("minute", new Date());
  if (to - from > MAX_DELTA_MINUTES) return { conversations: [], removedIds: [], reset: true, serverTime };
  const db = scoped(user.orgId)("conversations");
  const minutes = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const changed = (await Promise.all(minutes.map(async (updatedMinute) => db.find({ updatedMinute }).toArray())))
    .flat()
    .filter((c) => c.updatedAt > q.updatedAfter) as ConversationDoc[];
  if (changed.length > MAX_DELTA) return { conversations: [], removedIds: [], reset: true, serverTime };
  const conversations: ConversationResponse[] = [];
  const removedIds: string[] = [];
  for (const c of changed) {
    if (canSee(user, settings, c) && matches(user, q, c)) conversations.push(toConversationResponse(c));
    else removedIds.push(c._id.toHexString());
  }
  return { conversations, removedIds, reset: false, serverTime };
}

/**
 * The view tabs' counts (active conversations) and the unread badge, within what the user may see,
 * each counted up to COUNT_CAP. Counting is a walk like the list's, not `countDocuments`: FerretDB
 * decodes every document a count matches (36 s for the five counts at 50,000 conversations), and an
 * inbox tab reads "99+" past a hundred anyway. A walk that runs out of queries first gives a lower bound.
 */
export async function viewCounts(user: Viewer, settings: SettingsValues): Promise<ViewCounts> {
  const count = async (name: CountName) => {
    const q: ListConversationsQuery = { view: name === "unread" ? "all" : name, limit: COUNT_CAP };
    const { rows, stoppedAt } = await walkConversations(user.orgId, pushable(filtersOf(user, q)), {
      accept: (c) => canSee(user, settings, c) && matches(user, q, c) && (name !== "unread" || c.unreadCount > 0),
      limit: COUNT_CAP,
      after: null,
      maxQueries: COUNT_QUERIES,
    });
    return { name, n: rows.length, lowerBound: stoppedAt !== null };
  };
  const results = await Promise.all([...inboxViews, "unread" as const].map(count));
  const counts = Object.fromEntries(results.map((r) => [r.name, r.n])) as Record<CountName, number>;
  return { ...counts, atLeast: results.filter((r) => r.lowerBound && r.n < COUNT_CAP).map((r) => r.name) };
}
