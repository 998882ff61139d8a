import type { Metadata } from "next";
import Link from "next/link";
import { SyncTemplatesButton } from "@/components/templates/sync-templates-button";
import { TemplatesList, type TemplateRow } from "@/components/templates/templates-list";
import { requirePageUser } from "@/lib/auth/session";
import { scoped } from "@/lib/db/scoped";
import { editAllowance } from "@/lib/templates/edit-limits";
import { componentOf } from "@/lib/templates/variables";

export const metadata: Metadata = { title: "Message templates" };

export default async function TemplatesPage() {
  const user = await requirePageUser("manage:templates");
  const db = scoped(user.orgId);
  const [templates, accounts] = await Promise.all([
    db("whatsapp_templates").find({}, { sort: { name: 1, language: 1 }, limit: 1000 }).toArray(),
    db("whatsapp_accounts").find({}, { sort: { createdAt: 1 } }).toArray(),
  ]);
  const now = new Date();
  const rows: TemplateRow[] = templates.map((t) => {
    const body = componentOf(t.components, "BODY")?.text;
    const allowance = t.status === "APPROVED" ? editAllowance(t.edits ?? [], now) : null;
    return {
      id: t._id.toHexString(),
      name: t.name,
      language: t.language,
      category: t.category,
      status: t.status,
      qualityScore: t.qualityScore,
      reason: t.rejectedReason ?? t.pausedReason ?? null,
      edits: allowance && { used: allowance.used, limit: allowance.limit },
      body: typeof body === "string" ? body : "",
    };
  });
  const tokenErrors = accounts.filter((a) => a.tokenError);
  return (
    <section className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">Message templates</h1>
          <p className="text-sm text-slate-500">Templates approved by Meta are the only messages allowed outside the 24-hour customer service window.</p>
        </div>
        <div className="flex flex-wrap items-start gap-2">
          <Link href="/templates/new" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
            New template
          </Link>
          <SyncTemplatesButton />
        </div>
      </div>
      {tokenErrors.map((a) => (
        <p key={a._id.toHexString()} role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          The access token of {a.displayPhoneNumber || a.phoneNumberId} was refused by Meta ({a.tokenError!.message}); renew it to send messages.
        </p>
      ))}
      <TemplatesList rows={rows} />
    </section>
  );
}
