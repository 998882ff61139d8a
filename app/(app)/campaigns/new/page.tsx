import type { Metadata } from "next";
import { CampaignComposer } from "@/components/campaigns/campaign-composer";
import { requirePageUser } from "@/lib/auth/session";
import { composerData } from "@/lib/campaigns/composer-data";

export const metadata: Metadata = { title: "New campaign" };

export default async function NewCampaignPage() {
  const user = await requirePageUser("manage:campaigns");
  return (
    <section className="max-w-4xl space-y-4">
      <h1 className="text-xl font-semibold">New campaign</h1>
      <CampaignComposer {...await composerData(user.orgId)} />
    </section>
  );
}
