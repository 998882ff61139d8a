import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { idParam } from "@/lib/api/params";
import { withApiKey } from "@/lib/api/with-api-key";
import { recordActivity } from "@/lib/audit/audit";
import { recordGoalReached } from "@/lib/campaigns/outcomes";
import { getContact } from "@/lib/contacts/contacts";
import { v1ContactEventBody } from "@/lib/schemas/public-api";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// POST /api/v1/contacts/[id]/events: an event of the contact's from another system; campaigns whose goal it is (within their window) count a conversion
export const POST = withApiKey({ scope: "contacts:write", params, body: v1ContactEventBody }, async ({ orgId, actor, params, body }) => {
  const contact = await getContact(orgId, params.id);
  const at = body.at ? new Date(body.at) : new Date();
  if (at.getTime() > Date.now() + 60_000) throw new ApiError("unprocessable_entity", "at: an event cannot be in the future");
  const conversions = await recordGoalReached(orgId, contact._id, { kind: "event", name: body.name }, at);
  await recordActivity(orgId, actor, { action: "contact.event_recorded", entityType: "contact", entityId: contact._id, after: { name: body.name, at: at.toISOString(), conversions } });
  return { name: body.name, at: at.toISOString(), conversions };
});
