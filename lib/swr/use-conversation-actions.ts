"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { useSWRConfig, type KeyedMutator } from "swr";
import { adjustCounts, predictConversation, type InboxAction } from "@/lib/inbox/optimistic";
import type { ConversationResponse, ViewCounts } from "@/lib/schemas/inbox";
import { ApiClientError, sendJson } from "./fetcher";
import { VIEW_COUNTS_KEY } from "./use-inbox-meta";

/** Tells the list about a conversation the user just changed, before the next poll. */
export function announce(conversation: ConversationResponse) {
  window.dispatchEvent(new CustomEvent("inbox:conversation-updated", { detail: conversation }));
}

/**
 * Inbox actions (assign, status, snooze, priority, tags, AI switch, read) shown at once: the thread
 * header (the conversation's SWR cache), the list row and the tab and badge counts take the predicted
 * state before the request leaves; the server's answer replaces it; a refusal puts all three back as
 * they were and says why. The counts are re-read after every action, so they settle on the server's.
 */
export function useConversationActions(conversation: ConversationResponse, meId: string, mutateConversation: KeyedMutator<{ conversation: ConversationResponse }>) {
  const { mutate } = useSWRConfig();
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(conversation);
  useEffect(() => {
    latest.current = conversation;
  });

  const act = useCallback(
    async (path: string, method: InboxAction["method"], body?: unknown) => {
      setError(null);
      const before = latest.current;
      const predicted = predictConversation(before, { path, method, body }, meId);
      latest.current = predicted;
      const moveCounts = (from: ConversationResponse, to: ConversationResponse) =>
        mutate<{ counts: ViewCounts }>(VIEW_COUNTS_KEY, (d) => d && { counts: adjustCounts(d.counts, from, to, meId) }, { revalidate: false });
      announce(predicted);
      void moveCounts(before, predicted);
      try {
        const res = await mutateConversation(sendJson<{ conversation: ConversationResponse }>(`/api/conversations/${before.id}${path}`, method, body), {
          optimisticData: { conversation: predicted },
          rollbackOnError: true,
          populateCache: true,
          revalidate: false,
        });
        if (res) announce(res.conversation);
      } catch (err) {
        latest.current = before;
        announce(before);
        void moveCounts(predicted, before);
        const why = err instanceof ApiClientError ? err.message : "the connection failed";
        setError(`Not saved: ${why.replace(/\.$/, "")}. The conversation is shown as it was.`);
      } finally {
        void mutate(VIEW_COUNTS_KEY);
      }
    },
    [meId, mutate, mutateConversation],
  );

  return { act, error };
}
