"use client";

import useSWR from "swr";
import type { CannedResponse } from "@/lib/schemas/canned-response";
import type { AssigneeResponse, ViewCounts } from "@/lib/schemas/inbox";
import type { TemplateResponse } from "@/lib/schemas/template";
import { fetcher } from "./fetcher";

/** The one source of the inbox counts (tabs, nav badge, dashboard): lib/inbox/list-conversations.ts viewCounts. */
export const VIEW_COUNTS_KEY = "/api/conversations/counts";

export function useViewCounts(fallback?: ViewCounts) {
  return useSWR<{ counts: ViewCounts }>(VIEW_COUNTS_KEY, fetcher, {
    fallbackData: fallback ? { counts: fallback } : undefined,
    refreshInterval: 5000,
  });
}

export function useAssignees(fallback?: AssigneeResponse[]) {
  return useSWR<{ assignees: AssigneeResponse[] }>("/api/conversations/assignees", fetcher, {
    fallbackData: fallback ? { assignees: fallback } : undefined,
    refreshInterval: 60_000,
  });
}

export function useCannedResponses(enabled = true) {
  return useSWR<{ cannedResponses: CannedResponse[] }>(enabled ? "/api/canned-responses" : null, fetcher);
}

export function useApprovedTemplates(enabled: boolean) {
  return useSWR<{ templates: TemplateResponse[] }>(enabled ? "/api/templates?status=APPROVED" : null, fetcher);
}
