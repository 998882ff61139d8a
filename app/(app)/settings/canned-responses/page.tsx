import type { Metadata } from "next";
import { CannedResponsesManager } from "@/components/inbox/canned-responses-manager";
import { requirePageUser } from "@/lib/auth/session";
import { listCannedResponses, toCannedResponse } from "@/lib/inbox/canned-responses";

export const metadata: Metadata = { title: "Saved replies" };

export default async function CannedResponsesPage() {
  const user = await requirePageUser("manage:canned_responses");
  const items = (await listCannedResponses(user.orgId)).map(toCannedResponse);
  return <CannedResponsesManager initial={items} />;
}
