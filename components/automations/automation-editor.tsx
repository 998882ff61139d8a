"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { SegmentBuilder } from "@/components/contacts/segment-builder";
import { Button } from "@/components/ui/button";
import { ErrorText, SelectField, TextField } from "@/components/ui/field";
import { behaviorEvents, contextFields, lifecycleEvents, stepKindLabels, type ConditionGroup, type Step, type TriggerInput } from "@/lib/schemas/automation";
import { journeyStages } from "@/lib/schemas/journey";
import type { SegmentGroup } from "@/lib/schemas/segment";

type Named = { id: string; name: string };
export type TemplateOption = { id: string; name: string; language: string };
type DryRun = {
  days: number;
  evaluated: number;
  runs: number;
  contacts: number;
  sends: number;
  skippedByLoopProtection: number;
  truncated: boolean;
  note: string | null;
  samples: { contactId: string; name: string; at: string; event: string; steps: { path: string; kind: string; outcome: string }[] }[];
};

const whenLabels: Record<string, string> = {
  pattern: "A customer's message matches",
  ai: "The AI reads an intent or sentiment",
  time_based: "A customer goes quiet",
  schedule: "On a schedule",
  behavior: "A customer engages with a campaign, or writes often",
  lifecycle: "Something happens to a contact",
};
const behaviorLabels: Record<(typeof behaviorEvents)[number], string> = {
  campaign_delivered: "A campaign message was delivered",
  campaign_read: "A campaign message was read",
  campaign_clicked: "A campaign link was clicked",
  campaign_replied: "The customer replied to a campaign",
  messages_in_period: "The customer wrote N messages within a period",
};
const lifecycleLabels: Record<(typeof lifecycleEvents)[number], string> = {
  contact_created: "Contact created",
  conversation_resolved: "Conversation resolved",
  journey_stage_changed: "Journey stage changed",
  consent_changed: "Consent changed",
  lead_score_crossed: "Lead score crossed a threshold",
};

const input = "w-full rounded-md border border-slate-300 px-2 py-1 text-sm";
const words = (s: string) => s.split(",").map((w) => w.trim()).filter(Boolean);

function newStep(kind: Step["kind"]): Step {
  switch (kind) {
    case "send_message":
      return { kind, text: "", templateId: null };
    case "add_tags":
    case "remove_tags":
      return { kind, tags: [] };
    case "assign":
      return { kind, userId: null };
    case "set_priority":
      return { kind, priority: "high" };
    case "set_status":
      return { kind, status: "resolved" };
    case "set_stage":
      return { kind, stage: "interest" };
    case "set_field":
      return { kind, key: "", value: "" };
    case "create_ticket":
      return { kind, subject: "", priority: "normal" };
    case "call_webhook":
      return { kind, label: "" };
    case "run_agent":
      return { kind };
    case "wait":
      return { kind, minutes: 60 };
    case "wait_for_reply":
      return { kind, minutes: 60 * 24, replied: [], timeout: [] };
  }
}

function StepFields({ step, onChange, templates, users }: { step: Step; onChange: (s: Step) => void; templates: TemplateOption[]; users: Named[] }) {
  switch (step.kind) {
    case "send_message":
      return (
        <div className="grid gap-2 sm:grid-cols-2">
          <label className="text-xs text-slate-600">
            Text (inside the 24-hour window)
            <textarea className={input} rows={2} value={step.text} onChange={(e) => onChange({ ...step, text: e.target.value })} />
          </label>
          <label className="text-xs text-slate-600">
            Template (outside the window, or instead of text)
            <select className={input} value={step.templateId ?? ""} onChange={(e) => onChange({ ...step, templateId: e.target.value || null })}>
              <option value="">No template</option>
              {templates.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} ({t.language})
                </option>
              ))}
            </select>
          </label>
        </div>
      );
    case "add_tags":
    case "remove_tags":
      return (
        <label className="text-xs text-slate-600">
          Tags, separated by commas
          <input className={input} defaultValue={step.tags.join(", ")} onChange={(e) => onChange({ ...step, tags: words(e.target.value) })} />
        </label>
      );
    case "assign":
      return (
        <label className="text-xs text-slate-600">
          Assign to
          <select className={input} value={step.userId ?? ""} onChange={(e) => onChange({ ...step, userId: e.target.value || null })}>
            <option value="">Round robin (online agents)</option>
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
      );
    case "set_priority":
      return (
        <label className="text-xs text-slate-600">
          Priority
          <select className={input} value={step.priority} onChange={(e) => onChange({ ...step, priority: e.target.value as typeof step.priority })}>
            {["low", "normal", "high", "urgent"].map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
      );
    case "set_status":
      return (
        <label className="text-xs text-slate-600">
          Status
          <select className={input} value={step.status} onChange={(e) => onChange({ ...step, status: e.target.value as typeof step.status })}>
            {["open", "waiting", "resolved"].map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
      );
    case "set_stage":
      return (
        <label className="text-xs text-slate-600">
          Journey stage
          <select className={input} value={step.stage} onChange={(e) => onChange({ ...step, stage: e.target.value as typeof step.stage })}>
            {journeyStages.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      );
    case "set_field":
      return (
        <div className="grid gap-2 sm:grid-cols-2">
          <label className="text-xs text-slate-600">
            Custom field key
            <input className={input} value={step.key} onChange={(e) => onChange({ ...step, key: e.target.value })} />
          </label>
          <label className="text-xs text-slate-600">
            Value
            <input className={input} value={step.value} onChange={(e) => onChange({ ...step, value: e.target.value })} />
          </label>
        </div>
      );
    case "create_ticket":
      return (
        <label className="text-xs text-slate-600">
          Ticket subject
          <input className={input} value={step.subject} onChange={(e) => onChange({ ...step, subject: e.target.value })} />
        </label>
      );
    case "call_webhook":
      return (
        <label className="text-xs text-slate-600">
          What it is for (sent as the event&apos;s label to endpoints subscribed to automation.webhook)
          <input className={input} value={step.label} onChange={(e) => onChange({ ...step, label: e.target.value })} />
        </label>
      );
    case "run_agent":
      return <p className="text-xs text-slate-600">The conversation agent answers the customer&apos;s latest message now, within its guardrails (it hands over when it should).</p>;
    case "wait":
      return (
        <label className="text-xs text-slate-600">
          Wait (minutes)
          <input className={input} type="number" min={1} value={step.minutes} onChange={(e) => onChange({ ...step, minutes: Number(e.target.value) })} />
        </label>
      );
    case "wait_for_reply":
      return (
        <div className="space-y-2">
          <label className="text-xs text-slate-600">
            Wait for a reply up to (minutes)
            <input className={input} type="number" min={1} value={step.minutes} onChange={(e) => onChange({ ...step, minutes: Number(e.target.value) })} />
          </label>
          <div className="grid gap-2 md:grid-cols-2">
            <fieldset className="rounded-md border border-emerald-200 p-2">
              <legend className="px-1 text-xs font-medium text-emerald-700">If they reply</legend>
              <StepList steps={step.replied} onChange={(replied) => onChange({ ...step, replied })} templates={templates} users={users} nested label="If they reply" />
            </fieldset>
            <fieldset className="rounded-md border border-amber-200 p-2">
              <legend className="px-1 text-xs font-medium text-amber-700">If they do not</legend>
              <StepList steps={step.timeout} onChange={(timeout) => onChange({ ...step, timeout })} templates={templates} users={users} nested label="If they do not" />
            </fieldset>
          </div>
        </div>
      );
  }
}

function StepList({ steps, onChange, templates, users, nested = false, label }: { steps: Step[]; onChange: (s: Step[]) => void; templates: TemplateOption[]; users: Named[]; nested?: boolean; label: string }) {
  const [adding, setAdding] = useState<Step["kind"]>("add_tags");
  const kinds = (Object.keys(stepKindLabels) as Step["kind"][]).filter((k) => !nested || k !== "wait_for_reply");
  const move = (i: number, d: number) => {
    const next = [...steps];
    const [s] = next.splice(i, 1);
    next.splice(i + d, 0, s!);
    onChange(next);
  };
  return (
    <div className="space-y-2">
      <ol className="space-y-2">
        {steps.map((s, i) => (
          <li key={i} className="rounded-md border border-slate-200 bg-white p-2" aria-label={`${label} step ${i + 1}: ${stepKindLabels[s.kind]}`}>
            <div className="mb-1 flex items-center gap-2">
              <span className="text-sm font-medium text-slate-800">
                {i + 1}. {stepKindLabels[s.kind]}
              </span>
              <span className="ml-auto flex gap-1">
                <Button type="button" variant="ghost" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move step ${i + 1} up`}>
                  ↑
                </Button>
                <Button type="button" variant="ghost" disabled={i === steps.length - 1} onClick={() => move(i, 1)} aria-label={`Move step ${i + 1} down`}>
                  ↓
                </Button>
                <Button type="button" variant="ghost" onClick={() => onChange(steps.filter((_, j) => j !== i))} aria-label={`Remove step ${i + 1}`}>
                  ✕
                </Button>
              </span>
            </div>
            <StepFields step={s} onChange={(n) => onChange(steps.map((x, j) => (j === i ? n : x)))} templates={templates} users={users} />
          </li>
        ))}
      </ol>
      <div className="flex flex-wrap items-end gap-2">
        <label className="text-xs text-slate-600">
          Add a step
          <select className={input} value={adding} onChange={(e) => setAdding(e.target.value as Step["kind"])} aria-label={`${label}: step to add`}>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {stepKindLabels[k]}
              </option>
            ))}
          </select>
        </label>
        <Button type="button" variant="secondary" onClick={() => onChange([...steps, newStep(adding)])} aria-label={`${label}: add step`}>
          Add
        </Button>
      </div>
    </div>
  );
}

function whenMode(w: TriggerInput["when"]): keyof typeof whenLabels {
  if (w.type === "conversation_pattern") return w.intent || w.sentiment ? "ai" : "pattern";
  if (w.type === "time_based" && w.cron) return "schedule";
  return w.type;
}

/** Create or edit an automation: when, under which conditions, which steps; a dry run before saving. */
export function AutomationEditor({ id, initial, templates, users, segments }: { id: string | null; initial: TriggerInput; templates: TemplateOption[]; users: Named[]; segments: Named[] }) {
  const router = useRouter();
  const [def, setDef] = useState<TriggerInput>(initial);
  const [keywordText, setKeywordText] = useState(initial.when.type === "conversation_pattern" ? (initial.when.keywords ?? []).join(", ") : "");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [dry, setDry] = useState<DryRun | null>(null);
  const [dryBusy, setDryBusy] = useState(false);
  const when = def.when;
  const mode = whenMode(when);
  const setWhen = (w: TriggerInput["when"]) => setDef({ ...def, when: w });

  const body = (): TriggerInput => (when.type === "conversation_pattern" && mode === "pattern" ? { ...def, when: { ...when, keywords: words(keywordText) } } : def);

  async function save(e: React.FormEvent) {
    e.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const res = await fetch(id ? `/api/automations/${id}` : "/api/automations", { method: id ? "PUT" : "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body()) });
      const json = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(json.error?.message ?? `Saving failed (${res.status})`);
      router.push(`/automations/${json.automation.id}`);
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSaving(false);
    }
  }

  async function dryRun() {
    setDryBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/automations/dry-run", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body()) });
      const json = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(json.error?.message ?? `The dry run failed (${res.status})`);
      setDry(json.dryRun);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setDryBusy(false);
    }
  }

  return (
    <form onSubmit={save} className="space-y-5" aria-label="Automation">
      <div className="grid gap-3 sm:grid-cols-2">
        <TextField label="Name" value={def.name} onChange={(e) => setDef({ ...def, name: e.target.value })} required maxLength={120} />
        <TextField label="Priority (lower runs first)" type="number" min={0} max={1000} value={def.priority ?? 100} onChange={(e) => setDef({ ...def, priority: Number(e.target.value) })} />
      </div>

      <section className="space-y-2 rounded-lg border border-slate-200 p-3">
        <h2 className="text-sm font-semibold text-slate-900">When</h2>
        <SelectField
          label="Trigger"
          value={mode}
          onChange={(e) => {
            const m = e.target.value;
            if (m === "pattern") setWhen({ type: "conversation_pattern", keywords: words(keywordText), regex: null, intent: null, sentiment: null });
            else if (m === "ai") setWhen({ type: "conversation_pattern", keywords: [], regex: null, intent: "purchase", sentiment: null });
            else if (m === "time_based") setWhen({ type: "time_based", inactivityMinutes: 60 * 24, cron: null });
            else if (m === "schedule") setWhen({ type: "time_based", inactivityMinutes: null, cron: "0 9 * * 1" });
            else if (m === "behavior") setWhen({ type: "behavior", event: "campaign_read", campaignId: null, count: null, periodHours: null });
            else setWhen({ type: "lifecycle", event: "contact_created", stage: null, threshold: null, consent: null });
          }}
        >
          {Object.entries(whenLabels).map(([k, l]) => (
            <option key={k} value={k}>
              {l}
            </option>
          ))}
        </SelectField>
        {when.type === "conversation_pattern" && mode === "pattern" && (
          <div className="grid gap-2 sm:grid-cols-2">
            <TextField label="Keywords (any, separated by commas)" value={keywordText} onChange={(e) => setKeywordText(e.target.value)} placeholder="price, precio, cost" />
            <TextField label="Or a regular expression" value={when.regex ?? ""} onChange={(e) => setWhen({ ...when, regex: e.target.value || null })} placeholder="order\s*#?\d+" />
          </div>
        )}
        {when.type === "conversation_pattern" && mode === "ai" && (
          <div className="grid gap-2 sm:grid-cols-2">
            <TextField label="AI intent (snake_case)" value={when.intent ?? ""} onChange={(e) => setWhen({ ...when, intent: e.target.value || null })} />
            <SelectField label="Sentiment" value={when.sentiment ?? ""} onChange={(e) => setWhen({ ...when, sentiment: (e.target.value || null) as typeof when.sentiment })}>
              <option value="">Any</option>
              <option value="negative">Negative</option>
              <option value="neutral">Neutral</option>
              <option value="positive">Positive</option>
            </SelectField>
          </div>
        )}
        {when.type === "time_based" && mode === "time_based" && (
          <TextField label="Customer has not written for (minutes)" type="number" min={1} value={when.inactivityMinutes ?? 60} onChange={(e) => setWhen({ ...when, inactivityMinutes: Number(e.target.value) })} />
        )}
        {when.type === "time_based" && mode === "schedule" && (
          <div>
            <TextField label="Schedule (cron, your organization's time zone)" value={when.cron ?? ""} onChange={(e) => setWhen({ ...when, cron: e.target.value })} placeholder="0 9 * * 1" />
            <p className="mt-1 text-xs text-slate-500">Minute, hour, day of month, month, weekday: “0 9 * * 1” is every Monday at 09:00. Each time, it runs for every contact matching the conditions below.</p>
          </div>
        )}
        {when.type === "behavior" && (
          <div className="grid gap-2 sm:grid-cols-3">
            <SelectField
              label="Behavior"
              value={when.event}
              onChange={(e) => {
                const event = e.target.value as typeof when.event;
                setWhen(event === "messages_in_period" ? { ...when, event, count: when.count ?? 3, periodHours: when.periodHours ?? 24 } : { ...when, event, count: null, periodHours: null });
              }}
            >
              {behaviorEvents.map((ev) => (
                <option key={ev} value={ev}>
                  {behaviorLabels[ev]}
                </option>
              ))}
            </SelectField>
            {when.event === "messages_in_period" && (
              <>
                <TextField label="Messages" type="number" min={2} value={when.count ?? 3} onChange={(e) => setWhen({ ...when, count: Number(e.target.value) })} />
                <TextField label="Within (hours)" type="number" min={1} value={when.periodHours ?? 24} onChange={(e) => setWhen({ ...when, periodHours: Number(e.target.value) })} />
              </>
            )}
          </div>
        )}
        {when.type === "lifecycle" && (
          <div className="grid gap-2 sm:grid-cols-2">
            <SelectField label="Event" value={when.event} onChange={(e) => setWhen({ ...when, event: e.target.value as typeof when.event })}>
              {lifecycleEvents.map((ev) => (
                <option key={ev} value={ev}>
                  {lifecycleLabels[ev]}
                </option>
              ))}
            </SelectField>
            {when.event === "journey_stage_changed" && (
              <SelectField label="Into stage" value={when.stage ?? ""} onChange={(e) => setWhen({ ...when, stage: (e.target.value || null) as typeof when.stage })}>
                <option value="">Any stage</option>
                {journeyStages.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </SelectField>
            )}
            {when.event === "lead_score_crossed" && (
              <TextField label="Threshold (0–100)" type="number" min={0} max={100} value={when.threshold ?? 50} onChange={(e) => setWhen({ ...when, threshold: Number(e.target.value) })} />
            )}
            {when.event === "consent_changed" && (
              <SelectField label="Direction" value={when.consent ?? ""} onChange={(e) => setWhen({ ...when, consent: (e.target.value || null) as typeof when.consent })}>
                <option value="">Either</option>
                <option value="opted_in">Opted in</option>
                <option value="opted_out">Opted out</option>
              </SelectField>
            )}
          </div>
        )}
      </section>

      <section className="space-y-2 rounded-lg border border-slate-200 p-3">
        <h2 className="text-sm font-semibold text-slate-900">Only for contacts who match</h2>
        <p className="text-xs text-slate-500">
          No conditions: every contact. {mode === "schedule" ? "A schedule tests contact fields and saved segments." : "Besides the contact's fields: saved segments, the conversation, the message, the AI's reading and business hours."}
        </p>
        <SegmentBuilder
          value={(def.conditions ?? { match: "all", conditions: [] }) as SegmentGroup}
          onChange={(g) => setDef({ ...def, conditions: g as ConditionGroup })}
          users={users}
          segments={segments}
          extraFields={mode === "schedule" ? { segment: contextFields.segment } : contextFields}
          subject="Run for contacts"
        />
      </section>

      <section className="space-y-2 rounded-lg border border-slate-200 p-3">
        <h2 className="text-sm font-semibold text-slate-900">Then</h2>
        <StepList steps={def.steps} onChange={(steps) => setDef({ ...def, steps })} templates={templates} users={users} label="Then" />
      </section>

      <section className="flex flex-wrap items-center gap-3">
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={def.active ?? false} onChange={(e) => setDef({ ...def, active: e.target.checked })} />
          Enabled
        </label>
        <label className="flex items-center gap-2 text-sm">
          At most
          <input className="w-16 rounded-md border border-slate-300 px-2 py-1 text-sm" type="number" min={1} max={100} value={def.maxRunsPerContactPerDay ?? 3} onChange={(e) => setDef({ ...def, maxRunsPerContactPerDay: Number(e.target.value) })} aria-label="Runs per contact per day" />
          runs per contact per day
        </label>
        <span className="ml-auto flex gap-2">
          <Button type="button" variant="secondary" onClick={dryRun} disabled={dryBusy}>
            {dryBusy ? "Replaying 30 days…" : "Dry run (last 30 days)"}
          </Button>
          <Button type="submit" disabled={saving}>
            {saving ? "Saving…" : "Save automation"}
          </Button>
        </span>
      </section>
      {error && <ErrorText>{error}</ErrorText>}
      {dry && (
        <section className="rounded-lg border border-sky-200 bg-sky-50 p-3 text-sm" aria-label="Dry run result" role="status">
          <p className="font-medium text-slate-900">
            In the last {dry.days} days it would have run {dry.runs} time{dry.runs === 1 ? "" : "s"} for {dry.contacts} contact{dry.contacts === 1 ? "" : "s"} and sent {dry.sends} message{dry.sends === 1 ? "" : "s"}.
          </p>
          <p className="text-xs text-slate-600">
            {dry.evaluated} past events checked{dry.truncated ? " (the newest 2,000)" : ""}
            {dry.skippedByLoopProtection ? `; ${dry.skippedByLoopProtection} held back by the daily limit` : ""}. Nothing was written or sent.
          </p>
          {dry.note && <p className="text-xs text-amber-700">{dry.note}</p>}
          {dry.samples.length > 0 && (
            <ul className="mt-2 space-y-1">
              {dry.samples.slice(0, 10).map((s, i) => (
                <li key={i}>
                  <span className="font-medium">{s.name}</span> · {new Date(s.at).toLocaleString()} · {s.event}: {s.steps.map((x) => x.outcome).join("; ")}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </form>
  );
}
