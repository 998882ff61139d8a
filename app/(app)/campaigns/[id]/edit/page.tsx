import type { Metadata } from "next";
import { ObjectId } from "mongodb";
import { notFound, redirect } from "next/navigation";
import { CampaignComposer } from "@/components/campaigns/campaign-composer";
import { requirePageUser } from "@/lib/auth/session";
import { composerData } from "@/lib/campaigns/composer-data";
import { scoped } from "@/lib/db/scoped";

export const metadata: Metadata = { title: "Edit campaign" };

export default async function EditCampaignPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser("manage:campaigns");
  const { id } = await params;
  if (!ObjectId.isValid(id)) notFound();
  const c = await scoped(user.orgId)("campaigns").findOne({ _id: new ObjectId(id) });
  if (!c) notFound();
  if (c.status !== "draft" && c.status !== "scheduled") redirect(`/campaigns/${id}`);
  const input = {
    name: c.name,
    accountId: c.accountId.toHexString(),
    audience: { segmentId: c.audience.segmentId?.toHexString() ?? null, definition: c.audience.definition },
    exclusions: c.exclusions,
    variants: c.variants.map((v) => ({ key: v.key, templateId: v.templateId.toHexString(), weight: v.weight, variables: v.variables })),
    controlPercent: c.controlPercent,
    winner: c.winner,
    conversion: c.conversion,
  };
  return (
    <section className="max-w-4xl space-y-4">
      <h1 className="text-xl font-semibold">Edit “{c.name}”</h1>
      <CampaignComposer {...await composerData(user.orgId)} campaign={{ id, input }} />
    </section>
  );
}
