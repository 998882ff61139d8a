import { ObjectId, type CommandSucceededEvent } from "mongodb";
import { describe, expect, it } from "vitest";
import { GET as listConversations } from "@/app/api/conversations/route";
import { GET as getCounts } from "@/app/api/conversations/counts/route";
import { GET as getConversation } from "@/app/api/conversations/[id]/route";
import { GET as listMessages } from "@/app/api/conversations/[id]/messages/route";
import { closeClient, getClient } from "@/lib/db/client";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { COUNT_CAP, formatCount, type ConversationResponse, type MessageResponse } from "@/lib/schemas/inbox";
import { createOrg, request, routeParams } from "../support/factories";
import { seedConversation, seedMessage } from "../support/inbox-fixtures";

type User = Parameters<typeof request>[0];

async function list(user: User, qs = "") {
  const res = await listConversations(await request(user, `/api/conversations${qs ? `?${qs}` : ""}`), routeParams({}));
  return { status: res.status, body: await res.json() };
}
const ids = (rows: ConversationResponse[]) => rows.map((c) => c.id);
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
const counts = async (u: User) => (await (await getCounts(await request(u, "/api/conversations/counts"), routeParams({}))).json()).counts;

/** Documents of `coll` the database sent back while `fn` ran (the driver's command monitoring, on a fresh client). */
async function documentsRead(coll: string, fn: () => Promise<unknown>): Promise<number> {
  await closeClient();
  const client = getClient();
  client.options.monitorCommands = true;
  let n = 0;
  const onReply = (e: CommandSucceededEvent) => {
    const cursor = (e.reply as { cursor?: { ns?: string; firstBatch?: unknown[]; nextBatch?: unknown[] } }).cursor;
    if (cursor?.ns?.endsWith(`.${coll}`)) n += (cursor.firstBatch ?? cursor.nextBatch ?? []).length;
  };
  client.on("commandSucceeded", onReply);
  try {
    await fn();
  } finally {
    client.off("commandSucceeded", onReply);
  }
  return n;
}

/** mine/assigned, unassigned, AI-handled, someone else's, resolved: one of each. */
async function inboxOrg() {
  const org = await createOrg();
  const { agent, agent2 } = org.users;
  const c = {
    mine: await seedConversation(org.orgId, { assigneeId: agent._id, lastActivityAt: minutesAgo(1), unreadCount: 2, name: "Maria Garcia" }),
    unassigned: await seedConversation(org.orgId, { lastActivityAt: minutesAgo(2), unreadCount: 1, priority: "urgent", tags: ["vip"] }),
    ai: await seedConversation(org.orgId, { status: "ai_handled", lastActivityAt: minutesAgo(3) }),
    others: await seedConversation(org.orgId, { assigneeId: agent2._id, lastActivityAt: minutesAgo(4), unreadCount: 5, name: "John Smith" }),
    resolved: await seedConversation(org.orgId, { assigneeId: agent._id, status: "resolved", lastActivityAt: minutesAgo(5) }),
  };
  return { ...org, c };
}

describe("GET /api/conversations: views, filters and counts", () => {
  it("shows each view's active conversations, newest activity first, with counts for the tabs", async () => {
    const { users, c } = await inboxOrg();
    const as = async (u: User, qs: string) => ids((await list(u, qs)).body.conversations);
    const id = (x: { _id: { toHexString(): string } }) => x._id.toHexString();

    expect(await as(users.supervisor, "view=all")).toEqual([id(c.mine), id(c.unassigned), id(c.ai), id(c.others)]);
    expect(await as(users.supervisor, "view=unassigned")).toEqual([id(c.unassigned)]);
    expect(await as(users.supervisor, "view=ai")).toEqual([id(c.ai)]);
    expect(await as(users.agent, "view=mine")).toEqual([id(c.mine)]);
    expect(await as(users.agent, "view=mine&status=any")).toEqual([id(c.mine), id(c.resolved)]);
    expect(await as(users.agent, "view=all&status=resolved")).toEqual([id(c.resolved)]);
    expect(await as(users.supervisor, "priority=urgent")).toEqual([id(c.unassigned)]);
    expect(await as(users.supervisor, "tag=vip")).toEqual([id(c.unassigned)]);
    expect(await as(users.supervisor, `assignee=${users.agent2._id.toHexString()}`)).toEqual([id(c.others)]);
    expect(await as(users.supervisor, "assignee=none")).toEqual([id(c.unassigned), id(c.ai)]);

    expect(await counts(users.supervisor)).toEqual({ mine: 0, unassigned: 1, ai: 1, all: 4, unread: 3 });
    // The agent does not see agent2's conversation, so neither its row nor its unread messages count.
    expect(await counts(users.agent)).toEqual({ mine: 1, unassigned: 1, ai: 1, all: 3, unread: 2 });
  });

  it("counts up to a hundred and then says 99+, without reading every conversation", async () => {
    const { orgId, users } = await createOrg();
    const template = await seedConversation(orgId, { lastActivityAt: minutesAgo(1), unreadCount: 1 });
    const db = scoped(orgId)("conversations");
    const { orgId: _o, ...doc } = (await db.findOne({ _id: template._id }))!;
    // 120 more, spread over the last 120 hours, all unassigned and unread.
    await db.insertMany(
      Array.from({ length: 120 }, (_, i) => {
        const _id = new ObjectId();
        return { ...doc, _id, liveKey: `bench:${_id.toHexString()}`, lastActivityAt: minutesAgo(60 * i + 2) };
      }),
    );
    const res = await getCounts(await request(users.supervisor, "/api/conversations/counts"), routeParams({}));
    const { counts } = await res.json();
    expect(counts).toMatchObject({ mine: 0, ai: 0, unassigned: COUNT_CAP, all: COUNT_CAP, unread: COUNT_CAP });
    expect(formatCount(counts, "all")).toBe("99+");
    expect(formatCount(counts, "mine")).toBe("0");
  });

  it("treats a conversation without an assignee field as unassigned, in the list, the counts and access alike", async () => {
    const { orgId, users } = await createOrg();
    const c = await seedConversation(orgId, { lastActivityAt: minutesAgo(1) });
    // As another tool (or an older version) may have written it: no assigneeId at all.
    await rawCollection("conversations").updateOne({ _id: c._id }, { $unset: { assigneeId: "" } });
    const id = c._id.toHexString();
    for (const u of [users.supervisor, users.agent]) {
      expect(ids((await list(u, "view=unassigned")).body.conversations)).toEqual([id]);
      expect(ids((await list(u, "assignee=none")).body.conversations)).toEqual([id]);
      expect(await counts(u)).toMatchObject({ unassigned: 1, all: 1, mine: 0 });
    }
    const res = await getConversation(await request(users.agent, `/api/conversations/${id}`), routeParams({ id }));
    expect(res.status).toBe(200);
  });

  it("reads no more than a page for a view that matches few of many conversations", async () => {
    const { orgId, users } = await createOrg();
    const open = [await seedConversation(orgId, { lastActivityAt: minutesAgo(3 * 1440) }), await seedConversation(orgId, { lastActivityAt: minutesAgo(40 * 1440) })];
    const db = scoped(orgId)("conversations");
    const { orgId: _o, _id: _i, ...resolved } = (await db.findOne({ _id: open[0]!._id }))!;
    // 300 resolved, unassigned conversations, newer than the two open ones.
    await db.insertMany(
      Array.from({ length: 300 }, (_, i) => {
        const _id = new ObjectId();
        return { ...resolved, _id, status: "resolved" as const, liveKey: `resolved:${_id.toHexString()}`, lastActivityAt: minutesAgo(i + 1) };
      }),
    );
    let body: { conversations: ConversationResponse[]; hasMore: boolean; nextCursor: string | null } | undefined;
    const read = await documentsRead("conversations", async () => (body = (await list(users.agent, "view=unassigned&limit=5")).body));
    expect(ids(body!.conversations)).toEqual(open.map((c) => c._id.toHexString()));
    expect(body).toMatchObject({ hasMore: false, nextCursor: null });
    expect(read).toBeLessThanOrEqual(5 + 1);
  });

  it("returns the row fields the list shows, and nothing internal", async () => {
    const { users, c } = await inboxOrg();
    const row = (await list(users.agent, "view=mine")).body.conversations[0];
    expect(row).toEqual({
      id: c.mine._id.toHexString(),
      status: "assigned",
      priority: "normal",
      assigneeId: users.agent._id.toHexString(),
      tags: [],
      contactId: c.mine.contactId.toHexString(),
      accountId: c.mine.accountId.toHexString(),
      contact: { name: "Maria Garcia", phone: c.mine.contact.phone },
      lastMessage: { preview: "Hello", type: "text", sender: "customer", status: null, at: c.mine.lastActivityAt.toISOString() },
      lastActivityAt: c.mine.lastActivityAt.toISOString(),
      lastCustomerMessageAt: c.mine.lastActivityAt.toISOString(),
      unreadCount: 2,
      snoozedUntil: null,
      resolvedAt: null,
      ai: { enabled: true, confidence: null, handoverReason: null },
      source: null,
      createdAt: c.mine.createdAt.toISOString(),
      updatedAt: c.mine.updatedAt.toISOString(),
    });
  });
});

describe("visibility by role", () => {
  it("lets agents open their own and unassigned conversations, not another agent's (403), unless the org widens it", async () => {
    const { orgId, users, c } = await inboxOrg();
    const get = async (u: User, conv: { _id: { toHexString(): string } }) => {
      const id = conv._id.toHexString();
      return getConversation(await request(u, `/api/conversations/${id}`), routeParams({ id }));
    };
    expect((await get(users.agent, c.mine)).status).toBe(200);
    expect((await get(users.agent, c.unassigned)).status).toBe(200);
    const denied = await get(users.agent, c.others);
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ error: { code: "forbidden", message: "You do not have access to this conversation" } });
    const thread = await listMessages(await request(users.agent, `/api/conversations/${c.others._id.toHexString()}/messages`), routeParams({ id: c.others._id.toHexString() }));
    expect(thread.status).toBe(403);
    expect(ids((await list(users.agent, "view=all")).body.conversations)).not.toContain(c.others._id.toHexString());

    // Supervisors, admins and viewers see everything.
    for (const u of [users.supervisor, users.admin, users.viewer]) expect((await get(u, c.others)).status).toBe(200);

    await scoped(orgId)("settings").updateOne({}, { $set: { agentsSeeAllConversations: true } });
    expect((await get(users.agent, c.others)).status).toBe(200);
    expect(ids((await list(users.agent, "view=all")).body.conversations)).toContain(c.others._id.toHexString());
  });

  it("never shows another organization's conversations (404, not 403)", async () => {
    const a = await inboxOrg();
    const b = await createOrg("B");
    const id = a.c.unassigned._id.toHexString();
    const res = await getConversation(await request(b.users.admin, `/api/conversations/${id}`), routeParams({ id }));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "Conversation not found" } });
    expect((await list(b.users.admin, "view=all")).body.conversations).toEqual([]);
  });
});

describe("cursor pagination", () => {
  it("walks every conversation exactly once in (lastActivityAt, _id) order, across identical timestamps, hours, days and years", async () => {
    const { orgId, users } = await createOrg();
    const same = minutesAgo(10);
    // Minutes, hours, days, months and years back, and shared timestamps (the _id breaks the tie).
    const spread = [0, 1, 2, 90, 150, 26 * 60, 3 * 1440, 40 * 1440, 400 * 1440, 800 * 1440];
    for (let i = 0; i < 23; i++) await seedConversation(orgId, { lastActivityAt: i % 3 === 0 ? same : minutesAgo(spread[i % spread.length]! + i) });
    const seen: ConversationResponse[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { body } = await list(users.admin, `view=all&limit=5${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...body.conversations);
      expect(body.hasMore).toBe(body.nextCursor !== null);
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toHaveLength(23);
    expect(new Set(ids(seen)).size).toBe(23);
    const key = (c: ConversationResponse) => `${new Date(c.lastActivityAt).getTime().toString().padStart(15, "0")}${c.id}`;
    expect(seen.map(key)).toEqual(seen.map(key).sort().reverse());
  });

  it("puts a conversation whose activity is in the future (a clock ahead of ours) on the first page", async () => {
    const { orgId, users } = await createOrg();
    for (let i = 0; i < 30; i++) await seedConversation(orgId, { lastActivityAt: minutesAgo(i) });
    const ahead = await seedConversation(orgId, { lastActivityAt: new Date(Date.now() + 3 * 3600_000) });
    const { body } = await list(users.admin, "view=all");
    expect(body.conversations).toHaveLength(25);
    expect(body.conversations[0].id).toBe(ahead._id.toHexString());
  });
});

describe("search", () => {
  it("finds conversations by contact name, phone digits and message text, within what the user may see", async () => {
    const { orgId, users, c } = await inboxOrg();
    await seedMessage(orgId, c.unassigned, { text: "Where is my parcel with the blue umbrella?" });
    await seedMessage(orgId, c.others, { text: "The umbrella arrived broken" });
    const found = async (u: User, q: string) => ids((await list(u, `q=${encodeURIComponent(q)}`)).body.conversations);

    expect(await found(users.admin, "maria")).toEqual([c.mine._id.toHexString()]);
    expect(await found(users.admin, "garc")).toEqual([c.mine._id.toHexString()]);
    const phone = c.others.contact.phone!;
    expect(await found(users.admin, `${phone.slice(0, 2)} (${phone.slice(2, 5)}) ${phone.slice(5)}`)).toEqual([c.others._id.toHexString()]);
    expect(await found(users.admin, "umbrella")).toEqual([c.unassigned._id.toHexString(), c.others._id.toHexString()]);
    expect(await found(users.admin, "blue umbrella")).toEqual([c.unassigned._id.toHexString()]);
    // Searching includes resolved conversations by default.
    await seedMessage(orgId, c.resolved, { text: "refund processed" });
    expect(await found(users.agent, "refund")).toEqual([c.resolved._id.toHexString()]);
    // The agent's search never reveals agent2's conversation.
    expect(await found(users.agent, "umbrella")).toEqual([c.unassigned._id.toHexString()]);
    expect(await found(users.admin, "nothing-matches-this")).toEqual([]);
  });

  it("finds conversations by message text however old, behind a busy recent one", async () => {
    const { orgId, users } = await createOrg();
    const busy = await seedConversation(orgId, { lastActivityAt: minutesAgo(1) });
    for (let i = 0; i < 40; i++) await seedMessage(orgId, busy, { text: `Still waiting for my umbrella (${i})`, sentAt: minutesAgo(60 - i) });
    const days = await seedConversation(orgId, { status: "resolved", lastActivityAt: minutesAgo(4 * 1440) });
    await seedMessage(orgId, days, { text: "My umbrella arrived broken", sentAt: minutesAgo(4 * 1440) });
    const months = await seedConversation(orgId, { status: "closed", lastActivityAt: minutesAgo(120 * 1440) });
    await seedMessage(orgId, months, { text: "Do you sell umbrellas?", sentAt: minutesAgo(120 * 1440) });
    await seedMessage(orgId, await seedConversation(orgId, { lastActivityAt: minutesAgo(2) }), { text: "Where is my parcel?" });

    const { body } = await list(users.admin, "q=umbrella");
    expect(ids(body.conversations)).toEqual([busy, days, months].map((c) => c._id.toHexString()));
    // Paging a search walks the same results.
    const first = (await list(users.admin, "q=umbrella&limit=2")).body;
    expect(ids(first.conversations)).toEqual([busy, days].map((c) => c._id.toHexString()));
    expect(ids((await list(users.admin, `q=umbrella&limit=2&cursor=${first.nextCursor}`)).body.conversations)).toEqual([months._id.toHexString()]);
  });
});

describe("live updates with updatedAfter", () => {
  it("returns only what changed since the last poll: rows to merge and rows that left the view", async () => {
    const { orgId, users, c } = await inboxOrg();
    const first = (await list(users.agent, "view=all")).body;
    const since = first.serverTime;
    expect(new Date(since).getTime()).toBeLessThan(Date.now());
    await scoped(orgId)("conversations").updateMany({}, { $set: { updatedAt: new Date(Date.now() - 60_000) } });

    const now = new Date();
    const fresh = await seedConversation(orgId, { name: "New Customer", lastActivityAt: now, updatedAt: now });
    await scoped(orgId)("conversations").updateOne({ _id: c.unassigned._id }, { $set: { assigneeId: users.agent2._id, status: "assigned", updatedAt: now } });

    const delta = (await list(users.agent, `view=all&updatedAfter=${encodeURIComponent(new Date(now.getTime() - 1000).toISOString())}`)).body;
    expect(ids(delta.conversations)).toEqual([fresh._id.toHexString()]);
    expect(delta.removedIds).toEqual([c.unassigned._id.toHexString()]);
    expect(delta.reset).toBe(false);

    // In the "mine" view the new unassigned conversation is not a row to merge.
    const mine = (await list(users.agent, `view=mine&updatedAfter=${encodeURIComponent(new Date(now.getTime() - 1000).toISOString())}`)).body;
    expect(mine.conversations).toEqual([]);
    expect(mine.removedIds.sort()).toEqual([fresh._id.toHexString(), c.unassigned._id.toHexString()].sort());
  });
});

describe("GET /api/conversations/[id]/messages", () => {
  it("pages the thread newest first by (sentAt, _id), oldest first within a page, with reply quotes and live changes", async () => {
    const { orgId, users, c } = await inboxOrg();
    const base = Date.now() - 3600_000;
    const sent = [];
    for (let i = 0; i < 12; i++) sent.push(await seedMessage(orgId, c.mine, { text: `message ${i}`, sentAt: new Date(base + Math.floor(i / 2) * 1000) }));
    const reply = await seedMessage(orgId, c.mine, {
      direction: "outbound",
      text: "answer",
      sentAt: new Date(base + 60_000),
      replyTo: { waMessageId: sent[3]!.waMessageId!, messageId: null },
    });
    const id = c.mine._id.toHexString();
    const page = async (qs: string) => (await listMessages(await request(users.agent, `/api/conversations/${id}/messages?${qs}`), routeParams({ id }))).json();

    const all: MessageResponse[] = [];
    let cursor: string | null = null;
    do {
      const body = await page(`limit=5${cursor ? `&cursor=${cursor}` : ""}`);
      const times = body.messages.map((m: MessageResponse) => m.sentAt);
      expect(times).toEqual([...times].sort());
      all.unshift(...body.messages);
      cursor = body.nextCursor;
    } while (cursor);
    expect(all.map((m) => m.text)).toEqual([...sent.map((m) => m.text), "answer"]);
    expect(all.at(-1)!.replyTo).toEqual({ waMessageId: sent[3]!.waMessageId, messageId: sent[3]!._id.toHexString(), preview: "message 3", sender: "customer" });

    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await scoped(orgId)("messages").updateOne({ _id: reply._id }, { $set: { status: "read", updatedAt: new Date() } });
    const delta = await page(`updatedAfter=${encodeURIComponent(since)}`);
    expect(delta.messages.map((m: MessageResponse) => [m.id, m.status])).toEqual([[reply._id.toHexString(), "read"]]);
  });
});

describe("bad list queries get a clear error", () => {
  const cases: { name: string; qs: string; status: number; error: { code: string; message: string } }[] = [
    { name: "unknown view", qs: "view=everything", status: 422, error: { code: "unprocessable_entity", message: 'view: Invalid option: expected one of "mine"|"unassigned"|"ai"|"all"' } },
    { name: "limit too large", qs: "limit=1000", status: 422, error: { code: "unprocessable_entity", message: "limit: Too big: expected number to be <=100" } },
    { name: "forged cursor", qs: "cursor=abc", status: 400, error: { code: "bad_request", message: "The cursor is not valid; start from the first page" } },
    { name: "over-long search", qs: `q=${"x".repeat(101)}`, status: 422, error: { code: "unprocessable_entity", message: "q: must be at most 100 characters" } },
    { name: "updatedAfter not a date", qs: "updatedAfter=yesterday", status: 422, error: { code: "unprocessable_entity", message: "updatedAfter: Invalid ISO datetime" } },
    { name: "bad assignee id", qs: "assignee=123", status: 422, error: { code: "unprocessable_entity", message: "assignee: must be a 24-character hex id" } },
    {
      name: "live updates of a search",
      qs: `q=maria&updatedAfter=${encodeURIComponent(new Date().toISOString())}`,
      status: 400,
      error: { code: "bad_request", message: "Live updates are not available for a search; reload the search instead" },
    },
  ];
  it.each(cases)("$name", async ({ qs, status, error }) => {
    const { users } = await createOrg();
    const res = await list(users.agent, qs);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error });
  });

  it("refuses signed-out users", async () => {
    const res = await list(null, "view=all");
    expect(res).toEqual({ status: 401, body: { error: { code: "unauthorized", message: "Sign in to continue" } } });
  });
});
