"use client";

import useSWR from "swr";
import type { ExecutionResponse } from "@/lib/schemas/job-execution";
import { fetcher } from "./fetcher";

/** Recent job runs, optionally of one status and one job; refreshed every 10 s so retries show their outcome. */
export function useJobRuns(status: string, job: string, fallback?: ExecutionResponse[]) {
  const key = `/api/jobs-admin?limit=100${status ? `&status=${status}` : ""}${job ? `&job=${encodeURIComponent(job)}` : ""}`;
  return useSWR<{ executions: ExecutionResponse[] }>(key, fetcher, {
    fallbackData: fallback ? { executions: fallback } : undefined,
    refreshInterval: 10_000,
  });
}
