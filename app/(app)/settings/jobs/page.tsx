import type { Metadata } from "next";
import { JobRuns } from "@/components/jobs/job-runs";
import { requirePageUser } from "@/lib/auth/session";
import { listExecutions } from "@/lib/jobs/admin";
import { jobs } from "@/lib/jobs/registry";
import { listExecutionsQuery, toExecutionResponse } from "@/lib/schemas/job-execution";

export const metadata: Metadata = { title: "Background jobs" };

export default async function JobsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser("system:admin");
  const raw = (await searchParams).status;
  const parsed = listExecutionsQuery.safeParse({ status: typeof raw === "string" && raw ? raw : undefined, limit: 100 });
  const query = parsed.success ? parsed.data : { limit: 100 };
  const runs = (await listExecutions(user.orgId, query)).map(toExecutionResponse);
  return <JobRuns initialRuns={runs} initialStatus={query.status ?? ""} jobNames={Object.keys(jobs).sort()} />;
}
