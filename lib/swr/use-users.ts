"use client";

import useSWR from "swr";
import type { UserResponse } from "@/lib/schemas/user";
import { fetcher } from "./fetcher";

export function useUsers(fallback?: UserResponse[]) {
  return useSWR<{ users: UserResponse[] }>("/api/users", fetcher, {
    fallbackData: fallback ? { users: fallback } : undefined,
  });
}
