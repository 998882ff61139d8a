import type { Metadata } from "next";
import Link from "next/link";
import { AutomationToggle } from "@/components/automations/automation-toggle";
import { requirePageUser } from "@/lib/auth/session";
import { listTriggers, toTriggerResponse } from "@/lib/automation/triggers";

export const metadata: Metadata = { title: "Automations" };

const typeLabels: Record<string, string> = { conversation_pattern: "Message or AI reading", time_based: "Customer goes quiet", lifecycle: "Contact event", behavior: "Campaign engagement or message count" };

/** Every trigger in priority order, with how often it ran and how often that went well. */
export default async function AutomationsPage() {
  const user = await requirePageUser("manage:automations");
  const automations = (await listTriggers(user.orgId)).map(toTriggerResponse);
  return (
    <div className="mx-auto max-w-5xl space-y-4 p-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold text-slate-900">Automations</h1>
        <Link href="/automations/new" className="ml-auto rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
          New automation
        </Link>
      </div>
      {automations.length === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 p-8 text-center text-sm text-slate-600">
          <p className="font-medium text-slate-800">No automations yet</p>
          <p>Say “when this happens, under these conditions, do this, wait, then do that”: tag leads who ask for prices, follow up on quiet customers, welcome new contacts.</p>
        </div>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200">
          <table className="w-full text-left text-sm">
            <thead className="bg-slate-50 text-xs uppercase text-slate-500">
              <tr>
                <th className="px-3 py-2">Name</th>
                <th className="px-3 py-2">When</th>
                <th className="px-3 py-2">Priority</th>
                <th className="px-3 py-2">Runs</th>
                <th className="px-3 py-2">Success</th>
                <th className="px-3 py-2">Last run</th>
                <th className="px-3 py-2">Enabled</th>
              </tr>
            </thead>
            <tbody>
              {automations.map((a) => (
                <tr key={a.id} className="border-t border-slate-100">
                  <td className="px-3 py-2">
                    <Link href={`/automations/${a.id}`} className="font-medium text-brand-700 hover:underline">
                      {a.name}
                    </Link>
                  </td>
                  <td className="px-3 py-2 text-slate-600">{typeLabels[a.type]}</td>
                  <td className="px-3 py-2">{a.priority}</td>
                  <td className="px-3 py-2">{a.executionCount}</td>
                  <td className="px-3 py-2">{a.successRate === null ? "–" : `${Math.round(a.successRate * 100)}%`}</td>
                  <td className="px-3 py-2 text-slate-600">{a.lastRunAt ? new Date(a.lastRunAt).toLocaleString("en-GB", { timeZone: "UTC" }) + " UTC" : "Never"}</td>
                  <td className="px-3 py-2">
                    <AutomationToggle id={a.id} name={a.name} active={a.active} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
