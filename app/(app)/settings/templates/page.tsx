import type { Metadata } from "next";
import { SyncTemplatesButton } from "@/components/templates/sync-templates-button";
import { requirePageUser } from "@/lib/auth/session";
import { scoped } from "@/lib/db/scoped";

export const metadata: Metadata = { title: "Message templates" };

const statusStyle: Record<string, string> = {
  APPROVED: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  PENDING: "bg-amber-50 text-amber-700 ring-amber-200",
  REJECTED: "bg-red-50 text-red-700 ring-red-200",
  PAUSED: "bg-orange-50 text-orange-700 ring-orange-200",
  DISABLED: "bg-slate-100 text-slate-600 ring-slate-200",
  DELETED: "bg-slate-100 text-slate-500 ring-slate-200",
};

export default async function TemplatesPage() {
  const user = await requirePageUser("system:admin");
  const db = scoped(user.orgId);
  const [templates, accounts] = await Promise.all([
    db("whatsapp_templates").find({}, { sort: { name: 1, language: 1 }, limit: 1000 }).toArray(),
    db("whatsapp_accounts").find({}).toArray(),
  ]);
  const tokenErrors = accounts.filter((a) => a.tokenError);
  return (
    <section className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">Message templates</h1>
          <p className="text-sm text-slate-500">Templates approved by Meta are the only messages allowed outside the 24-hour customer service window.</p>
        </div>
        <SyncTemplatesButton />
      </div>
      {tokenErrors.map((a) => (
        <p key={a._id.toHexString()} role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          The access token of {a.displayPhoneNumber || a.phoneNumberId} was refused by Meta ({a.tokenError!.message}); renew it to send messages.
        </p>
      ))}
      {templates.length === 0 ? (
        <p className="rounded-lg bg-white p-6 text-center text-slate-500 ring-1 ring-slate-200">No templates yet. Sync them from Meta.</p>
      ) : (
        <table className="w-full overflow-hidden rounded-lg bg-white text-sm ring-1 ring-slate-200" data-testid="templates-table">
          <thead className="bg-slate-50 text-left text-slate-500">
            <tr>
              <th className="px-4 py-2 font-medium">Name</th>
              <th className="px-4 py-2 font-medium">Language</th>
              <th className="px-4 py-2 font-medium">Category</th>
              <th className="px-4 py-2 font-medium">Status</th>
              <th className="px-4 py-2 font-medium">Body</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {templates.map((t) => {
              const body = t.components.find((c) => String(c.type).toUpperCase() === "BODY");
              return (
                <tr key={t._id.toHexString()}>
                  <td className="px-4 py-2 font-mono">{t.name}</td>
                  <td className="px-4 py-2">{t.language}</td>
                  <td className="px-4 py-2">{t.category.toLowerCase()}</td>
                  <td className="px-4 py-2">
                    <span className={`rounded px-1.5 py-0.5 text-xs font-medium ring-1 ${statusStyle[t.status] ?? statusStyle.DISABLED}`}>{t.status}</span>
                    {t.rejectedReason && <span className="ml-1 text-xs text-slate-500">{t.rejectedReason}</span>}
                    {t.qualityScore && t.qualityScore !== "UNKNOWN" && <span className="ml-1 text-xs text-slate-500">quality {t.qualityScore.toLowerCase()}</span>}
                  </td>
                  <td className="max-w-md px-4 py-2 text-slate-600">{typeof body?.text === "string" ? body.text : ""}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
