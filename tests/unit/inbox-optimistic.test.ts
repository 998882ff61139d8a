import { describe, expect, it } from "vitest";
import { adjustCounts, inCount, predictConversation } from "@/lib/inbox/optimistic";
import { COUNT_CAP, countLabel, type ConversationResponse, type ViewCounts } from "@/lib/schemas/inbox";

const me = "64b000000000000000000001";
const other = "64b000000000000000000002";

function conversation(over: Partial<ConversationResponse> = {}): ConversationResponse {
  const at = "2026-01-01T10:00:00.000Z";
  return {
    id: "64b0000000000000000000aa",
    status: "open",
    priority: "normal",
    assigneeId: null,
    tags: [],
    contactId: "64b0000000000000000000bb",
    accountId: "64b0000000000000000000cc",
    contact: { name: "Ana", phone: "15550001" },
    lastMessage: null,
    lastActivityAt: at,
    lastCustomerMessageAt: at,
    unreadCount: 2,
    snoozedUntil: null,
    resolvedAt: null,
    ai: { enabled: true, confidence: null, handoverReason: "asked for a human" },
    source: null,
    createdAt: at,
    updatedAt: at,
    ...over,
  };
}

const counts = (over: Partial<ViewCounts> = {}): ViewCounts => ({ mine: 3, unassigned: 6, ai: 2, all: 11, unread: 9, ...over });

describe("predictConversation: the state the server will answer, shown before it does", () => {
  const table: { name: string; before: Partial<ConversationResponse>; path: string; method: "PUT" | "PATCH" | "POST"; body?: unknown; expected: Partial<ConversationResponse> }[] = [
    { name: "assign to me takes an open conversation", before: {}, path: "/assignee", method: "PUT", body: { assigneeId: "me" }, expected: { assigneeId: me, status: "assigned" } },
    { name: "an AI-handled conversation assigned to someone is assigned", before: { status: "ai_handled" }, path: "/assignee", method: "PUT", body: { assigneeId: other }, expected: { assigneeId: other, status: "assigned" } },
    { name: "unassigning an assigned conversation opens it", before: { status: "assigned", assigneeId: me }, path: "/assignee", method: "PUT", body: { assigneeId: null }, expected: { assigneeId: null, status: "open" } },
    { name: "a waiting conversation keeps its status when assigned", before: { status: "waiting" }, path: "/assignee", method: "PUT", body: { assigneeId: "me" }, expected: { status: "waiting" } },
    { name: "resolve", before: { status: "assigned", assigneeId: me }, path: "/status", method: "PUT", body: { status: "resolved" }, expected: { status: "resolved", snoozedUntil: null } },
    { name: "reopen of an assigned conversation is assigned", before: { status: "resolved", assigneeId: me, resolvedAt: "2026-01-01T11:00:00.000Z" }, path: "/status", method: "PUT", body: { status: "open" }, expected: { status: "assigned", resolvedAt: null } },
    { name: "reopen of an unassigned conversation is open", before: { status: "closed" }, path: "/status", method: "PUT", body: { status: "open" }, expected: { status: "open" } },
    { name: "snooze keeps its time", before: {}, path: "/status", method: "PUT", body: { status: "snoozed", snoozedUntil: "2030-01-01T09:00:00.000Z" }, expected: { status: "snoozed", snoozedUntil: "2030-01-01T09:00:00.000Z" } },
    { name: "priority", before: {}, path: "", method: "PATCH", body: { priority: "urgent" }, expected: { priority: "urgent" } },
    { name: "tags are lower-cased and unique, as the server stores them", before: {}, path: "", method: "PATCH", body: { tags: ["VIP", "vip", "refund"] }, expected: { tags: ["vip", "refund"] } },
    { name: "read clears the unread count", before: {}, path: "/read", method: "POST", expected: { unreadCount: 0 } },
  ];
  for (const t of table) {
    it(t.name, () => {
      const before = conversation(t.before);
      const after = predictConversation(before, { path: t.path, method: t.method, body: t.body }, me);
      expect(after).toMatchObject(t.expected);
      // The prediction never claims to be newer than the server's answer.
      expect(after.updatedAt).toBe(before.updatedAt);
    });
  }

  it("resolving clears the AI handover reason and stamps resolvedAt", () => {
    const after = predictConversation(conversation(), { path: "/status", method: "PUT", body: { status: "resolved" } }, me);
    expect(after.ai.handoverReason).toBeNull();
    expect(after.resolvedAt).not.toBeNull();
  });

  it("the AI switch", () => {
    expect(predictConversation(conversation(), { path: "", method: "PATCH", body: { aiEnabled: false } }, me).ai.enabled).toBe(false);
  });
});

describe("inCount: the definitions of viewCounts, for one conversation", () => {
  it("follows the views' filters", () => {
    expect(inCount("unassigned", conversation(), me)).toBe(true);
    expect(inCount("unassigned", conversation({ status: "ai_handled" }), me)).toBe(false);
    expect(inCount("ai", conversation({ status: "ai_handled" }), me)).toBe(true);
    expect(inCount("mine", conversation({ status: "assigned", assigneeId: me }), me)).toBe(true);
    expect(inCount("mine", conversation({ status: "assigned", assigneeId: other }), me)).toBe(false);
    expect(inCount("unread", conversation({ unreadCount: 0 }), me)).toBe(false);
    for (const status of ["resolved", "closed", "snoozed"] as const) expect(inCount("all", conversation({ status }), me)).toBe(false);
  });
});

describe("adjustCounts: tabs and badge move with the action", () => {
  it("resolving an unread unassigned conversation lowers all, unassigned and unread", () => {
    const before = conversation();
    const after = predictConversation(before, { path: "/status", method: "PUT", body: { status: "resolved" } }, me);
    expect(adjustCounts(counts(), before, after, me)).toEqual(counts({ all: 10, unassigned: 5, unread: 8 }));
  });

  it("taking a conversation moves it from unassigned to mine", () => {
    const before = conversation();
    const after = predictConversation(before, { path: "/assignee", method: "PUT", body: { assigneeId: "me" } }, me);
    expect(adjustCounts(counts(), before, after, me)).toEqual(counts({ mine: 4, unassigned: 5 }));
  });

  it("a count at the cap stays (it means that many or more) and none goes below zero", () => {
    const before = conversation();
    const after = predictConversation(before, { path: "/status", method: "PUT", body: { status: "resolved" } }, me);
    expect(adjustCounts(counts({ all: COUNT_CAP, unassigned: 0 }), before, after, me)).toMatchObject({ all: COUNT_CAP, unassigned: 0 });
  });

  it("rolling back is the reverse move", () => {
    const before = conversation();
    const after = predictConversation(before, { path: "/status", method: "PUT", body: { status: "resolved" } }, me);
    expect(adjustCounts(adjustCounts(counts(), before, after, me), after, before, me)).toEqual(counts());
  });
});

describe("countLabel: every number says what it counts", () => {
  it("reads the same wherever it is shown", () => {
    expect(countLabel(counts(), "unassigned")).toBe("6 unassigned open");
    expect(countLabel(counts(), "unread")).toBe("9 unread conversations");
    expect(countLabel(counts({ unread: 1 }), "unread")).toBe("1 unread conversation");
    expect(countLabel(counts(), "all")).toBe("11 open conversations");
    expect(countLabel(counts(), "mine")).toBe("3 open, assigned to me");
    expect(countLabel(counts({ all: COUNT_CAP }), "all")).toBe("99+ open conversations");
  });
});
