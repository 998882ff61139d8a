import { withOrg } from "@/lib/api/with-org";
import { dryRunTrigger } from "@/lib/automation/dry-run";
import { triggerInput } from "@/lib/schemas/automation";

export const runtime = "nodejs";

// POST /api/automations/dry-run: what a trigger (saved or not) would have done over the last 30 days; writes and sends nothing
export const POST = withOrg({ permission: "manage:automations", body: triggerInput }, async ({ orgId, user, body }) => ({ dryRun: await dryRunTrigger(orgId, user.role, body) }));
