import { withOrg } from "@/lib/api/with-org";
import { getSettings, updateSettings } from "@/lib/settings/settings";
import { toSettingsResponse, updateSettingsBody } from "@/lib/schemas/settings";

export const runtime = "nodejs";

// GET /api/settings: the organization's settings (admin)
export const GET = withOrg({ permission: "system:admin" }, async ({ orgId }) => {
  return { settings: toSettingsResponse(await getSettings(orgId)) };
});

// PUT /api/settings: change any subset of the settings; each change is audited with before/after
export const PUT = withOrg({ permission: "system:admin", body: updateSettingsBody }, async ({ orgId, body, actor }) => {
  return { settings: toSettingsResponse(await updateSettings(orgId, body, actor)) };
});
