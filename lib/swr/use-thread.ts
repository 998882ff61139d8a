"use client";

import { useCallback, useRef, useState } from "react";
import useSWR from "swr";
import type { MessagePage } from "@/lib/inbox/list-messages";
import type { ConversationResponse, MessageResponse } from "@/lib/schemas/inbox";
import { fetcher } from "./fetcher";

const chronological = (a: MessageResponse, b: MessageResponse) => a.sentAt.localeCompare(b.sentAt) || a.id.localeCompare(b.id);

/** Poll interval; faster while the newest reply still shows its pending clock (Meta's ticks follow in a second or two). */
const POLL_MS = 2000;
const POLL_AWAITING_TICK_MS = 1000;

/**
 * One conversation's thread: the newest page (server-rendered), older pages on scroll-up, and every
 * 2 s the messages changed since the last poll (new ones, media that finished downloading, ticks,
 * edits, reactions), merged by id; `refresh` polls now.
 *
 * A failed poll must not stop the polling: SWR skips `refreshInterval` while its cache holds an
 * error and retries with exponential backoff (5 s, 10 s, 20 s…), so one network blip or 500 left
 * the thread frozen (a photo stuck at its caption, a reply stuck at its clock) until a reload. The
 * poll therefore never throws; it answers whether it reached the server (`live`).
 */
export function useThread(conversationId: string, initial: MessagePage) {
  const [messages, setMessages] = useState<MessageResponse[]>(initial.messages);
  const [olderCursor, setOlderCursor] = useState<string | null>(initial.nextCursor);
  const since = useRef(initial.serverTime);
  const base = `/api/conversations/${conversationId}/messages`;

  const upsert = useCallback((changed: MessageResponse[]) => {
    if (changed.length === 0) return;
    setMessages((prev) => {
      const map = new Map(prev.map((m) => [m.id, m]));
      for (const m of changed) {
        const old = map.get(m.id);
        if (!old || old.updatedAt <= m.updatedAt) map.set(m.id, m);
      }
      return [...map.values()].sort(chronological);
    });
  }, []);

  const newestOutbound = messages.findLast((m) => m.direction === "outbound" && m.type !== "note" && m.type !== "system");
  const awaitingTick = newestOutbound?.status === "pending";
  const { data: live, mutate } = useSWR(
    ["thread-delta", conversationId],
    async () => {
      try {
        const delta = await fetcher<MessagePage>(`${base}?updatedAfter=${encodeURIComponent(since.current)}`);
        if (delta.reset) {
          const page = await fetcher<MessagePage>(base);
          setMessages(page.messages);
          setOlderCursor(page.nextCursor);
          since.current = page.serverTime;
          return true;
        }
        since.current = delta.serverTime;
        upsert(delta.messages);
        return true;
      } catch {
        // `since` is unchanged, so the next poll brings everything this one missed.
        return false;
      }
    },
    { refreshInterval: awaitingTick ? POLL_AWAITING_TICK_MS : POLL_MS, revalidateOnFocus: true, revalidateOnReconnect: true, revalidateOnMount: false, dedupingInterval: 800 },
  );
  const refresh = useCallback(() => mutate(), [mutate]);

  const loadOlder = useCallback(async () => {
    if (!olderCursor) return 0;
    const page = await fetcher<MessagePage>(`${base}?cursor=${encodeURIComponent(olderCursor)}`);
    setOlderCursor(page.nextCursor);
    upsert(page.messages);
    return page.messages.length;
  }, [base, olderCursor, upsert]);

  return { messages, hasOlder: olderCursor !== null, loadOlder, upsert, refresh, live: live !== false };
}

export function useConversation(id: string, fallback: ConversationResponse) {
  return useSWR<{ conversation: ConversationResponse }>(`/api/conversations/${id}`, fetcher, {
    fallbackData: { conversation: fallback },
    refreshInterval: 3000,
  });
}
