"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import useSWR from "swr";
import type { ConversationResponse, InboxView, StatusFilter } from "@/lib/schemas/inbox";
import type { ConversationPage, ConversationDelta } from "@/lib/inbox/list-conversations";
import { fetcher } from "./fetcher";

export type ListFilters = { view: InboxView; status?: StatusFilter; priority?: string; tag?: string; assignee?: string; q?: string };

export function listUrl(f: ListFilters, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, ...extra })) if (v) p.set(k, String(v));
  return `/api/conversations?${p.toString()}`;
}

const byActivity = (a: ConversationResponse, b: ConversationResponse) =>
  b.lastActivityAt.localeCompare(a.lastActivityAt) || b.id.localeCompare(a.id);

/** Conversations updated by the user's own actions, merged before the next poll brings them. */
export type ListHandle = ReturnType<typeof useConversationList>;

/**
 * The inbox list: first page (server-rendered, then fetched per filter), older pages on demand,
 * and every 2.5 s only what changed (`updatedAfter`), merged by id and re-sorted. A search polls its
 * first page instead (results depend on message text, which the delta does not carry).
 */
export function useConversationList(filters: ListFilters, initial: ConversationPage | null) {
  const key = listUrl(filters);
  const [rows, setRows] = useState<ConversationResponse[]>(initial?.conversations ?? []);
  const [cursor, setCursor] = useState<string | null>(initial?.nextCursor ?? null);
  const [loading, setLoading] = useState(!initial);
  const [error, setError] = useState<string | null>(null);
  const since = useRef<string | null>(initial?.serverTime ?? null);
  const loadedKey = useRef<string | null>(initial ? key : null);

  const loadFirst = useCallback(async () => {
    try {
      const page = await fetcher<ConversationPage>(key);
      setRows(page.conversations);
      setCursor(page.nextCursor);
      since.current = page.serverTime;
      loadedKey.current = key;
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setLoading(false);
    }
  }, [key]);

  useEffect(() => {
    if (loadedKey.current === key) return;
    setLoading(true);
    void loadFirst();
  }, [key, loadFirst]);

  const merge = useCallback((changed: ConversationResponse[], removed: string[] = [], force = false) => {
    setRows((prev) => {
      const map = new Map(prev.map((c) => [c.id, c]));
      for (const id of removed) map.delete(id);
      for (const c of changed) {
        const old = map.get(c.id);
        if (force || !old || old.updatedAt <= c.updatedAt) map.set(c.id, c);
      }
      return [...map.values()].sort(byActivity);
    });
  }, []);

  useSWR(
    ["conversation-delta", key],
    async () => {
      if (loadedKey.current !== key || !since.current) return null;
      if (filters.q) return void (await loadFirst());
      const delta = await fetcher<ConversationDelta>(listUrl(filters, { updatedAfter: since.current }));
      if (delta.reset) return void (await loadFirst());
      since.current = delta.serverTime;
      merge(delta.conversations, delta.removedIds);
      return null;
    },
    { refreshInterval: 2500, revalidateOnFocus: true, dedupingInterval: 1000 },
  );

  const loadMore = useCallback(async () => {
    if (!cursor) return;
    const page = await fetcher<ConversationPage>(listUrl(filters, { cursor }));
    setCursor(page.nextCursor);
    merge(page.conversations);
  }, [cursor, filters, merge]);

  /**
   * After an action the user took: show its predicted result, then the server's answer or the
   * rollback, at once (and drop it if it left the view). The user's own action wins over the row's
   * `updatedAt`: a poll may have brought a newer row than the open conversation's copy it started from.
   */
  const applyLocal = useCallback(
    (c: ConversationResponse, stillInView = true) => (stillInView ? merge([c], [], true) : merge([], [c.id])),
    [merge],
  );

  return { rows, hasMore: cursor !== null, loadMore, loading, error, applyLocal, reload: loadFirst };
}
