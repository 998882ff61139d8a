import type { Metadata } from "next";
import { PricingForm } from "@/components/settings/pricing-form";
import { SettingsForm } from "@/components/settings/settings-form";
import { requirePageUser } from "@/lib/auth/session";
import { getSettings } from "@/lib/settings/settings";
import { toSettingsResponse } from "@/lib/schemas/settings";

export const metadata: Metadata = { title: "Settings" };

export default async function GeneralSettingsPage() {
  const user = await requirePageUser("system:admin");
  const settings = toSettingsResponse(await getSettings(user.orgId));
  // Listed on the server: the browser's own list can differ and would break hydration.
  const timeZones = [...new Set(["UTC", settings.businessHours.timezone, ...Intl.supportedValuesOf("timeZone")])];
  return (
    <div className="space-y-6">
      <SettingsForm initial={settings} timeZones={timeZones} />
      <PricingForm initial={settings.pricing} />
    </div>
  );
}
