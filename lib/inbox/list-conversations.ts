import { ObjectId, type Document } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import { conversationStatuses, priorities, type ConversationDoc } from "@/lib/schemas/conversation";
import {
  activeStatuses,
  COUNT_CAP,
  inboxViews,
  type CountName,
  type ConversationResponse,
  type ListConversationsQuery,
  type ViewCounts,
} from "@/lib/schemas/inbox";
import type { SettingsValues } from "@/lib/schemas/settings";
import { queryTokens } from "@/lib/search/tokens";
import { seesAll, type Viewer } from "./access";
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
/** Message-text search finds the conversations of this many newest matching messages. */
const MESSAGE_HITS = 500;

type Settings = Pick<SettingsValues, "agentsSeeAllConversations">;
type Status = ConversationDoc["status"];
type Assignee = ObjectId | null;
type ListFilter = Pick<ListConversationsQuery, "view" | "status" | "priority" | "tag" | "assignee" | "q">;

const sameAssignee = (a: Assignee, b: Assignee) => (a === null ? b === null : b !== null && a.equals(b));
const oneOrIn = <T>(values: T[]) => (values.length === 1 ? values[0] : { $in: values });

/**
 * A view with its filters and the user's visibility as one MongoDB filter. What the view, the
 * filters and visibility say about status and assignee is intersected here, so each field is one
 * equality or a short `$in`, which the indexes (lib/db/indexes.ts) serve as equality keys: MongoDB
 * scans one sorted run per value and merges them, reading about a page plus one key per run. An
 * empty `$in` matches nothing. Status and priority are always constrained ("any" is every value of
 * the enum), so one index per leading field serves every status and priority filter.
 * `assigneeId: null` also matches a missing assignee, as `canSee` does.
 */
export function conversationFilter(user: Viewer, settings: Settings, q: ListFilter): Document {
  const status = q.status ?? (q.q ? "any" : "active");
  let statuses: readonly Status[] = status === "any" ? conversationStatuses : status === "active" ? activeStatuses : [status];
  let assignees: Assignee[] | null = null;
  const only = (allowed: Assignee[]) => {
    assignees = (assignees ?? allowed).filter((a) => allowed.some((b) => sameAssignee(a, b)));
  };
  if (q.view === "mine") only([user._id]);
  if (q.view === "unassigned") {
    only([null]);
    // AI-handled conversations have no assignee either; they have their own view until handed over.
    statuses = statuses.filter((s) => s !== "ai_handled");
  }
  if (q.view === "ai") statuses = statuses.filter((s) => s === "ai_handled");
  if (q.assignee) only([q.assignee === "none" ? null : new ObjectId(q.assignee)]);
  if (!seesAll(user, settings)) only([user._id, null]);
  return {
    status: oneOrIn([...statuses]),
    priority: q.priority ?? { $in: [...priorities] },
    ...(assignees ? { assigneeId: oneOrIn(assignees) } : {}),
    ...(q.tag ? { tags: q.tag } : {}),
  };
}

/** Filter parts as one filter: fields merged, and more than one `$or` (cursor, text match) kept apart under `$and`. */
function allOf(...parts: Document[]): Document {
  const out: Document = {};
  const ors: Document[] = [];
  for (const { $or, ...fields } of parts) {
    Object.assign(out, fields);
    if ($or) ors.push({ $or });
  }
  return ors.length > 1 ? { ...out, $and: ors } : { ...out, ...ors[0] };
}

/**
 * What a search matches: the contact's name or phone (tokens on the conversation) or the text of
 * one of the newest matching messages, any age (tokens on messages, newest first).
 */
async function textMatch(orgId: ObjectId, tokens: string[]): Promise<Document> {
  const byContact = { searchTokens: { $all: tokens } };
  const hits = await scoped(orgId)("messages")
    .find({ searchTokens: { $all: tokens } }, { sort: { sentAt: -1 }, limit: MESSAGE_HITS, projection: { conversationId: 1 } })
    .toArray();
  if (!hits.length) return byContact;
  const ids = [...new Map(hits.map((m) => [m.conversationId.toHexString(), m.conversationId])).values()];
  return { $or: [byContact, { _id: { $in: ids } }] };
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
 * One page of the list, newest activity first: one keyset query by `(lastActivityAt, _id)`. A
 * search first looks up the conversations of matching messages.
 */
export async function listConversations(user: Viewer, settings: Settings, q: ListConversationsQuery): Promise<ConversationPage> {
  const serverTime = new Date(Date.now() - POLL_OVERLAP_MS).toISOString();
  const tokens = q.q ? queryTokens(q.q) : [];
  const filter = allOf(
    conversationFilter(user, settings, q),
    tokens.length ? await textMatch(user.orgId, tokens) : {},
    q.cursor ? beforeCursor("lastActivityAt", q.cursor) : {},
  );
  const rows = await scoped(user.orgId)("conversations").find(filter, { sort: { lastActivityAt: -1, _id: -1 }, limit: q.limit + 1 }).toArray();
  const hasMore = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return { conversations: page.map(toConversationResponse), nextCursor: hasMore && last ? encodeCursor(last.lastActivityAt, last._id) : null, hasMore, serverTime };
}

/**
 * What changed since `updatedAfter` (newest changes last), split into rows to merge and rows to
 * drop: one command, where the database itself decides with the list's filter which of the
 * changed conversations still belong in the view.
 */
export async function conversationDelta(user: Viewer, settings: Settings, q: ListConversationsQuery & { updatedAfter: Date }): Promise<ConversationDelta> {
  if (q.q) throw new ApiError("bad_request", "Live updates are not available for a search; reload the search instead");
  const serverTime = new Date(Date.now() - POLL_OVERLAP_MS).toISOString();
  const [result] = await scoped(user.orgId)("conversations")
    .aggregate<{ inView: ConversationDoc[]; changed: { _id: ObjectId }[] }>([
      { $match: { updatedAt: { $gt: q.updatedAfter } } },
      { $sort: { updatedAt: 1 } },
      { $limit: MAX_DELTA + 1 },
      { $facet: { inView: [{ $match: conversationFilter(user, settings, q) }], changed: [{ $project: { _id: 1 } }] } },
    ])
    .toArray();
  const { inView, changed } = result ?? { inView: [], changed: [] };
  if (changed.length > MAX_DELTA) return { conversations: [], removedIds: [], reset: true, serverTime };
  const kept = new Set(inView.map((c) => c._id.toHexString()));
  return {
    conversations: inView.map(toConversationResponse),
    removedIds: changed.map((c) => c._id.toHexString()).filter((id) => !kept.has(id)),
    reset: false,
    serverTime,
  };
}

/**
 * The view tabs' counts (active conversations) and the unread badge, within what the user may
 * see, each counted up to COUNT_CAP (a tab reads "99+" past a hundred). The five capped counts
 * are one command: uncorrelated `$lookup` sub-pipelines hung on the user's own document, each an
 * index-served `$match` + `$limit` + `$count` as `countDocuments(filter, { limit })` sends it.
 * Sub-pipelines are not pinned by `scoped`, so each names its orgId.
 */
export async function viewCounts(user: Viewer, settings: Settings): Promise<ViewCounts> {
  const names: CountName[] = [...inboxViews, "unread"];
  const countOf = (name: CountName): Document[] => {
    const match = { orgId: user.orgId, ...conversationFilter(user, settings, { view: name === "unread" ? "all" : name }) };
    // The unread badge walks the list's index in the list's order and filters on unreadCount, a key
    // of that index: no document is read to decide.
    const stages = name === "unread" ? [{ $match: { ...match, unreadCount: { $gt: 0 } } }, { $sort: { lastActivityAt: -1, _id: -1 } }] : [{ $match: match }];
    return [...stages, { $limit: COUNT_CAP }, { $count: "n" }];
  };
  const [row] = await scoped(user.orgId)("users")
    .aggregate<Record<CountName, { n: number }[]>>([
      { $match: { _id: user._id } },
      { $project: { _id: 1 } },
      ...names.map((name) => ({ $lookup: { from: "conversations", pipeline: countOf(name), as: name } })),
    ])
    .toArray();
  return Object.fromEntries(names.map((name) => [name, row?.[name][0]?.n ?? 0])) as ViewCounts;
}
