import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ObjectId } from "mongodb";
import { AutomationEditor } from "@/components/automations/automation-editor";
import { AutomationRuns } from "@/components/automations/automation-runs";
import { requirePageUser } from "@/lib/auth/session";
import { getTrigger, listRuns, sendableTemplates } from "@/lib/automation/triggers";
import { listSegments } from "@/lib/contacts/segments/store";
import { listAssignees } from "@/lib/team/users";

export const metadata: Metadata = { title: "Automation" };

/** One automation: its definition to edit, and its runs with what each step did and why. */
export default async function AutomationPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser("manage:automations");
  const { id } = await params;
  if (!ObjectId.isValid(id) || !/^[a-f0-9]{24}$/i.test(id)) notFound();
  const trigger = await getTrigger(user.orgId, new ObjectId(id)).catch(() => null);
  if (!trigger) notFound();
  const [templates, users, segments, runs] = await Promise.all([
    sendableTemplates(user.orgId),
    listAssignees(user.orgId).then((a) => a.map(({ id, name }) => ({ id, name }))),
    listSegments(user.orgId).then((s) => s.map((x) => ({ id: x._id.toHexString(), name: x.name }))),
    listRuns(user.orgId, trigger._id, null),
  ]);
  const finished = trigger.successCount + trigger.failureCount;
  return (
    <div className="mx-auto max-w-4xl space-y-6 p-4">
      <nav className="text-sm text-slate-500">
        <Link href="/automations" className="hover:underline">
          Automations
        </Link>{" "}
        / {trigger.name}
      </nav>
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 className="text-xl font-semibold text-slate-900">{trigger.name}</h1>
        <span className="text-sm text-slate-600">
          Version {trigger.version} · {trigger.executionCount} run{trigger.executionCount === 1 ? "" : "s"}
          {finished ? ` · ${Math.round((trigger.successCount / finished) * 100)}% succeeded` : ""}
        </span>
      </div>
      <AutomationEditor
        id={id}
        templates={templates}
        users={users}
        segments={segments}
        initial={{
          name: trigger.name,
          description: trigger.description,
          when: trigger.when,
          conditions: trigger.conditions,
          steps: trigger.steps,
          priority: trigger.priority,
          active: trigger.active,
          maxRunsPerContactPerDay: trigger.maxRunsPerContactPerDay,
        }}
      />
      <AutomationRuns id={id} initial={runs} />
    </div>
  );
}
