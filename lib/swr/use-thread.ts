"use client";

import { useCallback, useRef, useState } from "react";
import useSWR from "swr";
import type { MessagePage } from "@/lib/inbox/list-messages";
import type { ConversationResponse, MessageResponse } from "@/lib/schemas/inbox";
import { fetcher } from "./fetcher";

const chronological = (a: MessageResponse, b: MessageResponse) => a.sentAt.localeCompare(b.sentAt) || a.id.localeCompare(b.id);

/**
 * One conversation's thread: the newest page (server-rendered), older pages on scroll-up, and every
 * 2 s the messages changed since the last poll (new ones, ticks, edits, reactions), merged by id.
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

  useSWR(
    ["thread-delta", conversationId],
    async () => {
      const delta = await fetcher<MessagePage>(`${base}?updatedAfter=${encodeURIComponent(since.current)}`);
      if (delta.reset) {
        const page = await fetcher<MessagePage>(base);
        setMessages(page.messages);
        setOlderCursor(page.nextCursor);
        since.current = page.serverTime;
        return null;
      }
      since.current = delta.serverTime;
      upsert(delta.messages);
      return null;
    },
    { refreshInterval: 2000, revalidateOnFocus: true, revalidateOnMount: false, dedupingInterval: 800 },
  );

  const loadOlder = useCallback(async () => {
    if (!olderCursor) return 0;
    const page = await fetcher<MessagePage>(`${base}?cursor=${encodeURIComponent(olderCursor)}`);
    setOlderCursor(page.nextCursor);
    upsert(page.messages);
    return page.messages.length;
  }, [base, olderCursor, upsert]);

  return { messages, hasOlder: olderCursor !== null, loadOlder, upsert };
}

export function useConversation(id: string, fallback: ConversationResponse) {
  return useSWR<{ conversation: ConversationResponse }>(`/api/conversations/${id}`, fetcher, {
    fallbackData: { conversation: fallback },
    refreshInterval: 3000,
  });
}
