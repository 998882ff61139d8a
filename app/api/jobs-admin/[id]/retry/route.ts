import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { retryExecution } from "@/lib/jobs/admin";
import { toExecutionResponse } from "@/lib/schemas/job-execution";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// POST /api/jobs-admin/[id]/retry: re-enqueue a failed or dead run's payload as a new message (admin)
export const POST = withOrg({ permission: "system:admin", params }, async ({ orgId, params, actor }) => {
  const { execution, messageId } = await retryExecution(orgId, actor, params.id);
  return { execution: toExecutionResponse(execution), messageId };
});
