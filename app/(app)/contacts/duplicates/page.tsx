import type { Metadata } from "next";
import { DuplicatesManager } from "@/components/contacts/duplicates-manager";
import { can } from "@/lib/auth/permissions";
import { requirePageUser } from "@/lib/auth/session";
import { suggestDuplicates } from "@/lib/contacts/merge";
import { toContactResponse } from "@/lib/contacts/contacts";

export const metadata: Metadata = { title: "Possible duplicates" };

export default async function DuplicatesPage() {
  const user = await requirePageUser("view:contacts");
  const groups = (await suggestDuplicates(user.orgId)).map((g) => ({ reason: g.reason, contacts: g.contacts.map(toContactResponse) }));
  return <DuplicatesManager initial={groups} canManage={can(user.role, "manage:contacts")} />;
}
