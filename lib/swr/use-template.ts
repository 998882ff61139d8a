"use client";

import { useState } from "react";
import useSWR from "swr";
import type { TemplateDetailResponse } from "@/lib/schemas/template";
import { fetcher } from "./fetcher";

/**
 * One template, re-read every 2 s while Meta reviews it, so its approval (by webhook) shows without
 * a reload. The interval is a number from state, not SWR's function form: that form reads the cache,
 * which is empty behind fallback data, and would never start polling.
 */
export function useTemplate(initial: TemplateDetailResponse) {
  const [pending, setPending] = useState(initial.status === "PENDING");
  return useSWR<{ template: TemplateDetailResponse }>(`/api/templates/${initial.id}`, fetcher, {
    fallbackData: { template: initial },
    refreshInterval: pending ? 2000 : 0,
    onSuccess: (data) => setPending(data.template.status === "PENDING"),
  });
}
