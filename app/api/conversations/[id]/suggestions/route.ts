import { z } from "zod";
import { suggestReplies } from "@/lib/ai/suggestions";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// POST /api/conversations/[id]/suggestions: three AI reply drafts for the composer
export const POST = withOrg({ permission: "write:messages", params }, async ({ orgId, params }) => suggestReplies(orgId, params.id));
