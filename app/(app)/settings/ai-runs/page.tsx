import type { Metadata } from "next";
import { RunLog } from "@/components/ai/run-log";
import { requirePageUser } from "@/lib/auth/session";
import { integrations } from "@/lib/env";

export const metadata: Metadata = { title: "AI run log" };

export default async function AiRunsPage() {
  await requirePageUser("system:admin");
  return <RunLog provider={integrations().ai} />;
}
