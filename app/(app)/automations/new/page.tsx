import type { Metadata } from "next";
import Link from "next/link";
import { AutomationEditor } from "@/components/automations/automation-editor";
import { requirePageUser } from "@/lib/auth/session";
import { sendableTemplates } from "@/lib/automation/triggers";
import { listSegments } from "@/lib/contacts/segments/store";
import { listAssignees } from "@/lib/team/users";

export const metadata: Metadata = { title: "New automation" };

export default async function NewAutomationPage() {
  const user = await requirePageUser("manage:automations");
  const [templates, users, segments] = await Promise.all([
    sendableTemplates(user.orgId),
    listAssignees(user.orgId).then((a) => a.map(({ id, name }) => ({ id, name }))),
    listSegments(user.orgId).then((s) => s.map((x) => ({ id: x._id.toHexString(), name: x.name }))),
  ]);
  return (
    <div className="mx-auto max-w-4xl space-y-4 p-4">
      <nav className="text-sm text-slate-500">
        <Link href="/automations" className="hover:underline">
          Automations
        </Link>{" "}
        / New
      </nav>
      <h1 className="text-xl font-semibold text-slate-900">New automation</h1>
      <AutomationEditor
        id={null}
        templates={templates}
        users={users}
        segments={segments}
        initial={{ name: "", when: { type: "conversation_pattern", keywords: [], regex: null, intent: null, sentiment: null }, conditions: { match: "all", conditions: [] }, steps: [], active: false, priority: 100, maxRunsPerContactPerDay: 3 }}
      />
    </div>
  );
}
