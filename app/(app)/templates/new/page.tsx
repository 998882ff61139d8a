import type { Metadata } from "next";
import { TemplateBuilder } from "@/components/templates/template-builder";
import { requirePageUser } from "@/lib/auth/session";
import { scoped } from "@/lib/db/scoped";

export const metadata: Metadata = { title: "New template" };

export default async function NewTemplatePage() {
  const user = await requirePageUser("manage:templates");
  const accounts = await scoped(user.orgId)("whatsapp_accounts").find({}, { sort: { createdAt: 1 } }).toArray();
  return (
    <section className="space-y-4">
      <h1 className="text-xl font-semibold">New template</h1>
      {accounts.length === 0 && (
        <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
          Connect a WhatsApp number (Settings → WhatsApp numbers) before submitting templates.
        </p>
      )}
      <TemplateBuilder accounts={accounts.map((a) => ({ id: a._id.toHexString(), label: a.displayPhoneNumber || a.phoneNumberId }))} />
    </section>
  );
}
