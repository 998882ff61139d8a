import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { listRuns } from "@/lib/automation/triggers";

export const runtime = "nodejs";
const params = z.object({ id: idParam });
const query = z.object({ before: z.iso.datetime().optional(), limit: z.coerce.number().int().min(1).max(100).default(25) });

// GET /api/automations/[id]/runs: the trigger's runs, newest first, each with its step trace
export const GET = withOrg({ permission: "manage:automations", params, query }, async ({ orgId, params, query }) =>
  listRuns(orgId, params.id, query.before ? new Date(query.before) : null, query.limit),
);
