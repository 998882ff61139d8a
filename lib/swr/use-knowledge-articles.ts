"use client";

import useSWR from "swr";
import type { KnowledgeArticleResponse } from "@/lib/schemas/ai";
import { fetcher } from "./fetcher";

export function useKnowledgeArticles(fallback?: KnowledgeArticleResponse[]) {
  return useSWR<{ articles: KnowledgeArticleResponse[] }>("/api/knowledge-articles", fetcher, {
    fallbackData: fallback ? { articles: fallback } : undefined,
  });
}
