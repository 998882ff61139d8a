import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { getBulkAction, toBulkActionResponse } from "@/lib/contacts/bulk";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/contacts/bulk/[id]: a bulk action's progress (done of total) and result
export const GET = withOrg({ permission: "manage:contacts", params }, async ({ orgId, params }) => ({ bulkAction: toBulkActionResponse(await getBulkAction(orgId, params.id)) }));
