import type { Metadata } from "next";
import { ListsManager } from "@/components/contacts/lists-manager";
import { can } from "@/lib/auth/permissions";
import { requirePageUser } from "@/lib/auth/session";
import { listContactListsWithCounts, toContactListResponse } from "@/lib/contacts/lists";

export const metadata: Metadata = { title: "Lists" };

export default async function ListsPage() {
  const user = await requirePageUser("view:contacts");
  return <ListsManager initial={(await listContactListsWithCounts(user.orgId)).map(toContactListResponse)} canManage={can(user.role, "manage:contacts")} />;
}
