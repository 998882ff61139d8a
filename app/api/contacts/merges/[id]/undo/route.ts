import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { undoMerge } from "@/lib/contacts/merge";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// POST /api/contacts/merges/[id]/undo: split a merge again (within 30 days): the merged contact and what moved come back
export const POST = withOrg({ permission: "manage:contacts", params }, async ({ orgId, actor, params }) => {
  await undoMerge(orgId, actor, params.id);
  return { ok: true };
});
