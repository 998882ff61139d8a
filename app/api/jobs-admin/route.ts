import { withOrg } from "@/lib/api/with-org";
import { listExecutions } from "@/lib/jobs/admin";
import { listExecutionsQuery, toExecutionResponse } from "@/lib/schemas/job-execution";

export const runtime = "nodejs";

// GET /api/jobs-admin: recent job runs with their status, error, attempts and duration (admin)
export const GET = withOrg({ permission: "system:admin", query: listExecutionsQuery }, async ({ orgId, query }) => ({
  executions: (await listExecutions(orgId, query)).map(toExecutionResponse),
}));
