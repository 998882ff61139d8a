import type { Metadata } from "next";
import { CustomFieldsManager } from "@/components/contacts/custom-fields-manager";
import { requirePageUser } from "@/lib/auth/session";
import { listCustomFields } from "@/lib/contacts/custom-fields";
import { toCustomFieldResponse } from "@/lib/schemas/custom-field";

export const metadata: Metadata = { title: "Custom fields" };

export default async function CustomFieldsPage() {
  const user = await requirePageUser("system:admin");
  return <CustomFieldsManager initial={(await listCustomFields(user.orgId)).map(toCustomFieldResponse)} />;
}
