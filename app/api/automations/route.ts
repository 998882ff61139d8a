import { withOrg } from "@/lib/api/with-org";
import { createTrigger, listTriggers, toTriggerResponse } from "@/lib/automation/triggers";
import { triggerInput } from "@/lib/schemas/automation";

export const runtime = "nodejs";

// GET /api/automations: the organization's triggers in priority order, with their run counts
export const GET = withOrg({ permission: "manage:automations" }, async ({ orgId }) => ({ automations: (await listTriggers(orgId)).map(toTriggerResponse) }));

// POST /api/automations: save a trigger (its conditions, templates and actions are checked first)
export const POST = withOrg({ permission: "manage:automations", body: triggerInput }, async ({ orgId, actor, user, body }) =>
  Response.json({ automation: toTriggerResponse(await createTrigger(orgId, actor, user.role, body)) }, { status: 201 }),
);
