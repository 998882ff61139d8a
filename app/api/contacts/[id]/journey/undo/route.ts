import { ObjectId } from "mongodb";
import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { undoJourneyMove } from "@/lib/journey/journey";
import { undoJourneyBody } from "@/lib/schemas/journey";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// POST /api/contacts/[id]/journey/undo: put the customer back where a move found them (409 if moved again since); audited
export const POST = withOrg({ permission: "manage:contacts", params, body: undoJourneyBody }, async ({ orgId, actor, params, body }) => ({
  move: await undoJourneyMove(orgId, actor, params.id, new ObjectId(body.moveId)),
}));
