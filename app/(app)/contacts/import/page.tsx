import type { Metadata } from "next";
import { ImportWizard } from "@/components/contacts/import-wizard";
import { requirePageUser } from "@/lib/auth/session";
import { listCustomFields } from "@/lib/contacts/custom-fields";
import { toImportResponse } from "@/lib/contacts/import/api";
import { listImports } from "@/lib/contacts/import/imports";
import { listContactLists } from "@/lib/contacts/lists";

export const metadata: Metadata = { title: "Import contacts" };

export default async function ImportPage() {
  const user = await requirePageUser("manage:contacts");
  const [lists, customFields, imports] = await Promise.all([listContactLists(user.orgId), listCustomFields(user.orgId), listImports(user.orgId, 10)]);
  return (
    <ImportWizard
      lists={lists.map((l) => ({ id: l._id.toHexString(), name: l.name }))}
      customFields={customFields.map((f) => ({ key: f.key, label: f.label, type: f.type }))}
      recent={imports.map(toImportResponse)}
    />
  );
}
