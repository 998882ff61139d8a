import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { deleteTrigger, getTrigger, setTriggerActive, toTriggerResponse, updateTrigger } from "@/lib/automation/triggers";
import { triggerInput } from "@/lib/schemas/automation";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/automations/[id]: one trigger
export const GET = withOrg({ permission: "manage:automations", params }, async ({ orgId, params }) => ({ automation: toTriggerResponse(await getTrigger(orgId, params.id)) }));

// PUT /api/automations/[id]: a new version (runs already started finish on theirs)
export const PUT = withOrg({ permission: "manage:automations", params, body: triggerInput }, async ({ orgId, actor, user, params, body }) => ({
  automation: toTriggerResponse(await updateTrigger(orgId, actor, user.role, params.id, body)),
}));

// PATCH /api/automations/[id]: enable or disable
export const PATCH = withOrg({ permission: "manage:automations", params, body: z.strictObject({ active: z.boolean() }) }, async ({ orgId, actor, params, body }) => ({
  automation: toTriggerResponse(await setTriggerActive(orgId, actor, params.id, body.active)),
}));

// DELETE /api/automations/[id]: delete it (its past runs stay in the history)
export const DELETE = withOrg({ permission: "manage:automations", params }, async ({ orgId, actor, params }) => {
  await deleteTrigger(orgId, actor, params.id);
  return { ok: true };
});
