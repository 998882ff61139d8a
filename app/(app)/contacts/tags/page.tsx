import type { Metadata } from "next";
import { TagManager } from "@/components/contacts/tag-manager";
import { can } from "@/lib/auth/permissions";
import { requirePageUser } from "@/lib/auth/session";
import { tagUsage } from "@/lib/contacts/tags";

export const metadata: Metadata = { title: "Tags" };

export default async function TagsPage() {
  const user = await requirePageUser("view:contacts");
  return <TagManager initial={await tagUsage(user.orgId)} canManage={can(user.role, "manage:contacts")} />;
}
