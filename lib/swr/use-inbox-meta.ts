"use client";

import useSWR from "swr";
import type { CannedResponse } from "@/lib/schemas/canned-response";
import type { AssigneeResponse, ViewCounts } from "@/lib/schemas/inbox";
import type { TemplateResponse } from "@/lib/schemas/template";
import { fetcher } from "./fetcher";

export function useViewCounts(fallback?: ViewCounts) {
  return useSWR<{ counts: ViewCounts }>("/api/conversations/counts", fetcher, {
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
