"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ErrorText, SelectField, TextField } from "@/components/ui/field";
import { journeyStageLabels, journeyStages } from "@/lib/schemas/journey";
import { weekdays, type SettingsResponse, type UpdateSettingsBody } from "@/lib/schemas/settings";
import { sendJson } from "@/lib/swr/fetcher";

type Weekday = (typeof weekdays)[number];
/** What the person typed, kept as typed (numbers and keyword lists as text) so an error never loses it. */
const retentionFields = [
  { key: "webhookLogRetentionDays", label: "Webhook deliveries (days)", help: "Raw deliveries from Meta, kept for replay." },
  { key: "jobLogRetentionDays", label: "Background job records (days)", help: "Runs of media downloads, AI replies, assignment and other jobs." },
  { key: "aiRunRetentionDays", label: "AI run log (days)", help: "What the AI was asked, answered and why, per reply." },
] as const;
type RetentionKey = (typeof retentionFields)[number]["key"];

type Draft = Omit<SettingsResponse, "updatedAt" | "maxConversationsPerAgent" | RetentionKey | "optOutKeywords" | "optInKeywords"> & {
  maxConversationsPerAgent: string;
  optOutKeywords: string;
  optInKeywords: string;
} & Record<RetentionKey, string>;

const dayLabel = (d: Weekday) => d[0]!.toUpperCase() + d.slice(1);

function toDraft(s: SettingsResponse): Draft {
  return {
    ...s,
    maxConversationsPerAgent: String(s.maxConversationsPerAgent),
    webhookLogRetentionDays: String(s.webhookLogRetentionDays),
    jobLogRetentionDays: String(s.jobLogRetentionDays),
    aiRunRetentionDays: String(s.aiRunRetentionDays),
    optOutKeywords: s.optOutKeywords.join(", "),
    optInKeywords: s.optInKeywords.join(", "),
  };
}

const keywords = (text: string) => text.split(",").map((k) => k.trim()).filter(Boolean);

function toBody(d: Draft): UpdateSettingsBody {
  return {
    aiEnabled: d.aiEnabled,
    handoverMessage: d.handoverMessage,
    autoAssignment: d.autoAssignment,
    autoAssignOnReply: d.autoAssignOnReply,
    maxConversationsPerAgent: Number(d.maxConversationsPerAgent),
    agentsSeeAllConversations: d.agentsSeeAllConversations,
    businessHours: d.businessHours,
    optOutKeywords: keywords(d.optOutKeywords),
    optInKeywords: keywords(d.optInKeywords),
    optOutConfirmation: d.optOutConfirmation,
    optInConfirmation: d.optInConfirmation,
    webhookLogRetentionDays: Number(d.webhookLogRetentionDays),
    jobLogRetentionDays: Number(d.jobLogRetentionDays),
    aiRunRetentionDays: Number(d.aiRunRetentionDays),
    journeyAutoApplyConfidence: d.journeyAutoApplyConfidence,
    // An emptied name goes back to the default.
    journeyStageNames: Object.fromEntries(Object.entries(d.journeyStageNames).filter(([, v]) => v && v.trim())),
  };
}

/** How sure the AI must be before its journey stage move applies without review (a level set through the API is listed too). */
const autoApplyLevels = (current: number | null) => [...new Set([0.95, 0.85, 0.7, ...(current === null ? [] : [current])])].sort((a, b) => b - a);

const fieldLabels: Record<string, string> = {
  aiEnabled: "AI replies",
  handoverMessage: "Handover message",
  autoAssignment: "Auto-assignment",
  autoAssignOnReply: "Assign on reply",
  maxConversationsPerAgent: "Max conversations per agent",
  journeyAutoApplyConfidence: "AI journey moves",
  journeyStageNames: "Stage names",
  agentsSeeAllConversations: "Agents see all conversations",
  "businessHours.timezone": "Time zone",
  optOutKeywords: "Opt-out keywords",
  optInKeywords: "Opt-in keywords",
  optOutConfirmation: "Opt-out confirmation",
  optInConfirmation: "Opt-in confirmation",
  ...Object.fromEntries(retentionFields.map((f) => [f.key, `Keep ${f.label.replace(" (days)", "").toLowerCase()} for`])),
};

/** "businessHours.days.monday.end: the start must be before the end" -> "Monday closes: the start must be before the end". */
function humanize(message: string): string {
  const m = /^([\w.]+): (.*)$/.exec(message);
  if (!m) return message;
  const [, path, rest] = m as unknown as [string, string, string];
  const day = /^businessHours\.days\.(\w+)(?:\.(start|end))?$/.exec(path);
  if (day && (weekdays as readonly string[]).includes(day[1]!)) {
    const which = day[2] === "start" ? " opens" : day[2] === "end" ? " closes" : "";
    return `${dayLabel(day[1] as Weekday)}${which}: ${rest}`;
  }
  const label = fieldLabels[path] ?? fieldLabels[path.replace(/\.\d+$/, "")];
  return label ? `${label}: ${rest}` : message;
}

const section = "space-y-3 rounded-lg bg-white p-4 ring-1 ring-slate-200";
const legend = "px-1 text-base font-semibold";
const textarea = "mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm";

function Toggle({ label, hint, checked, onChange }: { label: string; hint: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <label className="flex items-start gap-2 text-sm">
      <input type="checkbox" className="mt-0.5" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <span>
        <span className="font-medium text-slate-700">{label}</span>
        <span className="block text-slate-500">{hint}</span>
      </span>
    </label>
  );
}

/** The organization's settings (admins): every save sends the whole form; the API writes and audits only what changed. */
export function SettingsForm({ initial, timeZones }: { initial: SettingsResponse; timeZones: string[] }) {
  const [draft, setDraft] = useState<Draft>(() => toDraft(initial));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [savedAt, setSavedAt] = useState<string | null>(null);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setSavedAt(null);
  };
  const setDay = (day: Weekday, change: Partial<Draft["businessHours"]["days"][Weekday]>) =>
    set("businessHours", { ...draft.businessHours, days: { ...draft.businessHours.days, [day]: { ...draft.businessHours.days[day], ...change } } });

  async function save(e: React.FormEvent) {
    e.preventDefault();
    setSaving(true);
    setError(null);
    setSavedAt(null);
    try {
      const { settings } = await sendJson<{ settings: SettingsResponse }>("/api/settings", "PUT", toBody(draft));
      setDraft(toDraft(settings));
      setSavedAt(new Date(settings.updatedAt).toLocaleTimeString());
    } catch (err) {
      setError(humanize((err as Error).message));
    } finally {
      setSaving(false);
    }
  }

  return (
    <form onSubmit={save} aria-label="Organization settings" className="max-w-3xl space-y-4">
      <div>
        <h1 className="text-xl font-semibold">General settings</h1>
        <p className="text-slate-500">How the organization works: AI, assignment, business hours, consent keywords and data retention.</p>
      </div>

      <fieldset className={section}>
        <legend className={legend}>General</legend>
        <Toggle label="AI replies" hint="The AI agent may answer customers for the whole organization." checked={draft.aiEnabled} onChange={(v) => set("aiEnabled", v)} />
        <label className="block text-sm font-medium text-slate-700">
          Handover message
          <span className="block font-normal text-slate-500">Sent to the customer when the AI passes the conversation to a person. Leave empty to send nothing.</span>
          <textarea rows={2} maxLength={1024} value={draft.handoverMessage} onChange={(e) => set("handoverMessage", e.target.value)} className={textarea} />
        </label>
        <Toggle label="Auto-assignment" hint="New conversations go round-robin to online agents." checked={draft.autoAssignment} onChange={(v) => set("autoAssignment", v)} />
        <Toggle
          label="Assign on reply"
          hint="Replying to an unassigned conversation assigns it to the agent who replied."
          checked={draft.autoAssignOnReply}
          onChange={(v) => set("autoAssignOnReply", v)}
        />
        <Toggle
          label="Agents see all conversations"
          hint="Otherwise agents see only their own and unassigned conversations."
          checked={draft.agentsSeeAllConversations}
          onChange={(v) => set("agentsSeeAllConversations", v)}
        />
        <div className="max-w-xs">
          <TextField
            label="Max conversations per agent"
            type="number"
            min={1}
            max={500}
            step={1}
            value={draft.maxConversationsPerAgent}
            onChange={(e) => set("maxConversationsPerAgent", e.target.value)}
          />
        </div>
      </fieldset>

      <fieldset className={section}>
        <legend className={legend}>Customer journey</legend>
        <div className="max-w-md">
          <SelectField
            label="Apply the AI's stage moves"
            value={draft.journeyAutoApplyConfidence === null ? "never" : String(draft.journeyAutoApplyConfidence)}
            onChange={(e) => set("journeyAutoApplyConfidence", e.target.value === "never" ? null : Number(e.target.value))}
          >
            <option value="never">Never: every suggestion waits for a person</option>
            {autoApplyLevels(draft.journeyAutoApplyConfidence).map((level) => (
              <option key={level} value={String(level)}>
                When it is at least {Math.round(level * 100)}% sure
              </option>
            ))}
          </SelectField>
          <p className="mt-1 text-xs text-slate-500">Below that, the suggestion waits on the journey board for someone to apply or dismiss it. Every move can be undone.</p>
        </div>
        <div className="mt-3 grid gap-2 sm:grid-cols-5" role="group" aria-label="Stage names">
          {journeyStages.map((s) => (
            <TextField
              key={s}
              label={`${journeyStageLabels[s]} stage name`}
              placeholder={journeyStageLabels[s]}
              maxLength={40}
              value={draft.journeyStageNames[s] ?? ""}
              onChange={(e) => set("journeyStageNames", { ...draft.journeyStageNames, [s]: e.target.value })}
            />
          ))}
        </div>
        <p className="mt-1 text-xs text-slate-500">Your own names for the five stages, on the board, the contacts list and the inbox. Leave one empty for its default.</p>
      </fieldset>

      <fieldset className={section}>
        <legend className={legend}>Business hours</legend>
        <div className="max-w-xs">
          <SelectField label="Time zone" value={draft.businessHours.timezone} onChange={(e) => set("businessHours", { ...draft.businessHours, timezone: e.target.value })}>
            {timeZones.map((tz) => (
              <option key={tz} value={tz}>{tz}</option>
            ))}
          </SelectField>
        </div>
        <div className="relative overflow-x-auto">
          <table className="text-sm">
            <thead className="text-left text-xs uppercase text-slate-500">
              <tr>
                <th className="py-1 pr-2 font-medium sm:pr-4">Day</th>
                <th className="py-1 pr-2 font-medium sm:pr-4">Open</th>
                <th className="py-1 pr-2 font-medium sm:pr-4">Opens</th>
                <th className="py-1 font-medium">Closes</th>
              </tr>
            </thead>
            <tbody>
              {weekdays.map((day) => {
                const h = draft.businessHours.days[day];
                return (
                  <tr key={day} data-testid={`hours-${day}`}>
                    <td className="py-1 pr-2 sm:pr-4 font-medium">{dayLabel(day)}</td>
                    <td className="py-1 pr-2 sm:pr-4">
                      <input type="checkbox" aria-label={`${dayLabel(day)} open`} checked={h.enabled} onChange={(e) => setDay(day, { enabled: e.target.checked })} />
                    </td>
                    <td className="py-1 pr-2 sm:pr-4">
                      <input type="time" aria-label={`${dayLabel(day)} opens`} value={h.start} onChange={(e) => setDay(day, { start: e.target.value })} className="rounded-md border border-slate-300 px-1.5 py-1" />
                    </td>
                    <td className="py-1">
                      <input type="time" aria-label={`${dayLabel(day)} closes`} value={h.end} onChange={(e) => setDay(day, { end: e.target.value })} className="rounded-md border border-slate-300 px-1.5 py-1" />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </fieldset>

      <fieldset className={section}>
        <legend className={legend}>Consent</legend>
        <p className="text-sm text-slate-500">A customer who sends just one of these words is opted out or back in, and gets the confirmation. Separate words with commas; case and punctuation do not matter.</p>
        <TextField label="Opt-out keywords" value={draft.optOutKeywords} onChange={(e) => set("optOutKeywords", e.target.value)} />
        <label className="block text-sm font-medium text-slate-700">
          Opt-out confirmation
          <textarea rows={2} maxLength={1024} value={draft.optOutConfirmation} onChange={(e) => set("optOutConfirmation", e.target.value)} className={textarea} />
        </label>
        <TextField label="Opt-in keywords" value={draft.optInKeywords} onChange={(e) => set("optInKeywords", e.target.value)} />
        <label className="block text-sm font-medium text-slate-700">
          Opt-in confirmation
          <textarea rows={2} maxLength={1024} value={draft.optInConfirmation} onChange={(e) => set("optInConfirmation", e.target.value)} className={textarea} />
        </label>
      </fieldset>

      <fieldset className={section}>
        <legend className={legend}>Data retention</legend>
        <p className="text-sm text-slate-500">Older records are deleted every night. Conversations, messages and contacts are kept.</p>
        <div className="grid gap-3 sm:grid-cols-3">
          {retentionFields.map((f) => (
            <div key={f.key}>
              <TextField label={f.label} type="number" min={1} max={3650} step={1} value={draft[f.key]} onChange={(e) => set(f.key, e.target.value)} />
              <p className="mt-1 text-xs text-slate-500">{f.help}</p>
            </div>
          ))}
        </div>
      </fieldset>

      <ErrorText>{error}</ErrorText>
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={saving}>{saving ? "Saving…" : "Save settings"}</Button>
        {savedAt && (
          <p role="status" className="text-sm text-green-700">
            Settings saved at {savedAt}.
          </p>
        )}
      </div>
    </form>
  );
}
