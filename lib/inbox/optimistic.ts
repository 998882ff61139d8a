import type { ConversationDoc } from "@/lib/schemas/conversation";
import { activeStatuses, COUNT_CAP, type CountName, type ConversationResponse, type ViewCounts } from "@/lib/schemas/inbox";

/**
 * What the server will answer to an inbox action, predicted on the client so the header, the list
 * row and the counts change at once; the server's answer replaces the prediction, a refusal rolls
 * it back. Shared with the server (lib/inbox/actions.ts) where the rule is the same.
 */
type Status = ConversationDoc["status"];

export function nextStatusOnAssign(status: Status, assigned: boolean): Status {
  if (assigned && (status === "open" || status === "ai_handled")) return "assigned";
  if (!assigned && status === "assigned") return "open";
  return status;
}

/** An action as the client sends it: the route under /api/conversations/[id], the method and the body. */
export type InboxAction = { path: string; method: "PUT" | "PATCH" | "POST"; body?: unknown };

type StatusBody = { status: "open" | "waiting" | "resolved" | "closed" | "snoozed"; snoozedUntil?: string };
type PatchBody = { priority?: ConversationResponse["priority"]; tags?: string[]; aiEnabled?: boolean };

/** The conversation as the action will leave it; `updatedAt` stays, so any answer from the server wins over it. */
export function predictConversation(c: ConversationResponse, action: InboxAction, meId: string): ConversationResponse {
  const { path, body } = action;
  if (path === "/read") return { ...c, unreadCount: 0 };
  if (path === "/assignee") {
    const raw = (body as { assigneeId: string | null }).assigneeId;
    const assigneeId = raw === "me" ? meId : raw;
    return { ...c, assigneeId, status: nextStatusOnAssign(c.status, assigneeId !== null) };
  }
  if (path === "/status") {
    const b = body as StatusBody;
    const status: Status = b.status === "open" ? (c.assigneeId ? "assigned" : "open") : b.status;
    const now = new Date().toISOString();
    return {
      ...c,
      status,
      snoozedUntil: b.status === "snoozed" ? (b.snoozedUntil ?? null) : null,
      resolvedAt: status === "resolved" ? now : status === "closed" ? (c.resolvedAt ?? now) : null,
      ...(status === "resolved" ? { ai: { ...c.ai, handoverReason: null } } : {}),
    };
  }
  if (path === "") {
    const b = body as PatchBody;
    return {
      ...c,
      ...(b.priority ? { priority: b.priority } : {}),
      ...(b.tags ? { tags: [...new Set(b.tags.map((t) => t.toLowerCase()))] } : {}),
      ...(b.aiEnabled !== undefined ? { ai: { ...c.ai, enabled: b.aiEnabled } } : {}),
    };
  }
  return c;
}

/** Whether a conversation is in a count, by the definitions of conversationFilter (lib/inbox/list-conversations.ts). */
export function inCount(name: CountName, c: Pick<ConversationResponse, "status" | "assigneeId" | "unreadCount">, meId: string): boolean {
  if (!(activeStatuses as readonly Status[]).includes(c.status)) return false;
  switch (name) {
    case "all":
      return true;
    case "mine":
      return c.assigneeId === meId;
    case "unassigned":
      return c.assigneeId === null && c.status !== "ai_handled";
    case "ai":
      return c.status === "ai_handled";
    case "unread":
      return c.unreadCount > 0;
  }
}

/**
 * The counts after one conversation changed from `before` to `after`. A count at the cap stays (it
 * means "this many or more"); the next poll of /api/conversations/counts settles the rest.
 */
export function adjustCounts(counts: ViewCounts, before: ConversationResponse, after: ConversationResponse, meId: string): ViewCounts {
  const out = { ...counts };
  for (const name of Object.keys(counts) as CountName[]) {
    if (counts[name] >= COUNT_CAP) continue;
    const delta = Number(inCount(name, after, meId)) - Number(inCount(name, before, meId));
    out[name] = Math.max(0, Math.min(COUNT_CAP, counts[name] + delta));
  }
  return out;
}
