"use client";

import useSWR from "swr";
import type { AiAgentResponse } from "@/lib/schemas/ai";
import { fetcher } from "./fetcher";

export function useAiAgents(fallback?: AiAgentResponse[]) {
  return useSWR<{ agents: AiAgentResponse[] }>("/api/ai-agents", fetcher, {
    fallbackData: fallback ? { agents: fallback } : undefined,
  });
}
