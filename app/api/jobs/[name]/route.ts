import { withQstash } from "@/lib/api/with-qstash";
import { outcomeResponse } from "@/lib/jobs/outcome-response";
import { jobRegistry } from "@/lib/jobs/registry";
import { runJob } from "@/lib/jobs/run-job";

export const runtime = "nodejs";

// POST /api/jobs/[name]: run one QStash delivery of a registered job (signature checked first)
export const POST = withQstash(async ({ params, rawBody, delivery }) => {
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody);
  } catch {
    // Signed by QStash but not JSON: the payload schema rejects it and the run is recorded as failed.
    payload = rawBody;
  }
  return outcomeResponse(await runJob(jobRegistry, String(params.name), payload, delivery));
});
