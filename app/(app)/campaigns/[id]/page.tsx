import type { Metadata } from "next";
import { ObjectId } from "mongodb";
import { notFound } from "next/navigation";
import { CampaignDetail } from "@/components/campaigns/campaign-detail";
import { requirePageUser } from "@/lib/auth/session";
import { toCampaignResponse } from "@/lib/campaigns/results";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";

export const metadata: Metadata = { title: "Campaign" };

export default async function CampaignPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser("manage:campaigns");
  const { id } = await params;
  if (!ObjectId.isValid(id)) notFound();
  const [c, org] = await Promise.all([
    scoped(user.orgId)("campaigns").findOne({ _id: new ObjectId(id) }),
    rawCollection("organizations").findOne({ _id: user.orgId }, { projection: { timezone: 1 } }),
  ]);
  if (!c) notFound();
  return <CampaignDetail initial={toCampaignResponse(c)} timezone={org?.timezone || "UTC"} />;
}
