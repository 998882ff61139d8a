import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { getContactJourney, moveJourneyStage } from "@/lib/journey/journey";
import { moveJourneyBody } from "@/lib/schemas/journey";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/contacts/[id]/journey: the customer's stage, since when, and their recent moves (for undo)
export const GET = withOrg({ permission: "view:contacts", params }, async ({ orgId, params }) => ({
  journey: await getContactJourney(orgId, params.id),
}));

// PUT /api/contacts/[id]/journey: move the customer to a stage (409 when someone moved them since `expectedStage`); audited
export const PUT = withOrg({ permission: "manage:contacts", params, body: moveJourneyBody }, async ({ orgId, actor, params, body }) => ({
  move: await moveJourneyStage(orgId, actor, params.id, body),
}));
