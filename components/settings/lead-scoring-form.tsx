"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ErrorText, TextField } from "@/components/ui/field";
import { leadScoringConfig, type LeadScoringConfig } from "@/lib/schemas/lead-score";
import { sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";

/** The weights as typed (text, so a half-typed number is never lost); validated by the same schema as the API. */
type Draft = {
  halfLifeDays: string;
  replies: string;
  readRate: string;
  clicks: string;
  recency: string;
  frequency: string;
  intent: string;
  email: string;
  company: string;
  tags: { key: number; tag: string; points: string }[];
};

const toDraft = (c: LeadScoringConfig): Draft => ({
  halfLifeDays: String(c.halfLifeDays),
  replies: String(c.engagement.replies),
  readRate: String(c.engagement.readRate),
  clicks: String(c.engagement.clicks),
  recency: String(c.recency),
  frequency: String(c.frequency),
  intent: String(c.intent),
  email: String(c.fit.email),
  company: String(c.fit.company),
  tags: c.fit.tags.map((t, i) => ({ key: i, tag: t.tag, points: String(t.points) })),
});

const num = (s: string) => (s.trim() === "" ? Number.NaN : Number(s));
const toConfig = (d: Draft) => ({
  halfLifeDays: num(d.halfLifeDays),
  engagement: { replies: num(d.replies), readRate: num(d.readRate), clicks: num(d.clicks) },
  recency: num(d.recency),
  frequency: num(d.frequency),
  intent: num(d.intent),
  fit: { email: num(d.email), company: num(d.company), tags: d.tags.map((t) => ({ tag: t.tag, points: num(t.points) })) },
});

const labels: Record<string, string> = {
  halfLifeDays: "Half-life",
  "engagement.replies": "Replies",
  "engagement.readRate": "Read rate",
  "engagement.clicks": "Link clicks",
  recency: "Recency",
  frequency: "Frequency",
  intent: "Buying intent",
  "fit.email": "Email known",
  "fit.company": "Company known",
};

/** The organization's scoring weights: the most points each factor gives, the decay and the tag rules. */
export function LeadScoringForm({ initial }: { initial: LeadScoringConfig }) {
  const [draft, setDraft] = useState(() => toDraft(initial));
  const [nextKey, setNextKey] = useState(initial.fit.tags.length);
  const [saved, setSaved] = useState<string | null>(null);
  const save = useAction();
  const set = (patch: Partial<Draft>) => {
    setSaved(null);
    setDraft((d) => ({ ...d, ...patch }));
  };
  const parsed = leadScoringConfig.safeParse(toConfig(draft));
  const problem = parsed.success
    ? null
    : (() => {
        const issue = parsed.error.issues[0]!;
        const path = issue.path.join(".");
        const name = labels[path] ?? (issue.path[1] === "tags" ? `Tag rule ${Number(issue.path[2] ?? 0) + 1}` : path);
        return `${name}: ${issue.message}`;
      })();
  const c = toConfig(draft);
  const total = [c.engagement.replies, c.engagement.readRate, c.engagement.clicks, c.recency, c.frequency, c.intent, Math.max(0, c.fit.email), Math.max(0, c.fit.company), ...c.fit.tags.map((t) => Math.max(0, t.points))].reduce(
    (s, n) => s + (Number.isFinite(n) ? n : 0),
    0,
  );

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!parsed.success) return save.setError(problem);
    const res = await save.run(() => sendJson<{ leadScoring: LeadScoringConfig; rescoring: boolean }>("/api/settings/lead-scoring", "PUT", parsed.data));
    if (res) {
      setDraft(toDraft(res.leadScoring));
      setSaved(res.rescoring ? "Saved. Every contact is being rescored in the background." : "Saved (nothing changed).");
    }
  }

  const field = (key: keyof Omit<Draft, "tags">, label: string, help: string, min = 0, max = 100) => (
    <div>
      <TextField label={label} type="number" min={min} max={max} step={1} value={draft[key]} onChange={(e) => set({ [key]: e.target.value } as Partial<Draft>)} />
      <p className="mt-0.5 text-xs text-slate-500">{help}</p>
    </div>
  );

  return (
    <form onSubmit={submit} className="space-y-4 rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="weights-h">
      <div>
        <h2 id="weights-h" className="text-base font-semibold">
          Weights
        </h2>
        <p className="text-sm text-slate-600">
          Each number is the most points a factor can give; the score is their sum, capped at 100. Maximum now: <strong>{total}</strong>.
        </p>
      </div>
      <fieldset className="grid gap-3 sm:grid-cols-3">
        <legend className="mb-1 text-sm font-semibold text-slate-700">Engagement</legend>
        {field("replies", "Replies", "Full at 3 recent replies to your messages")}
        {field("readRate", "Read rate", "Share of delivered messages they read")}
        {field("clicks", "Link clicks", "Full at 2 recent campaign link clicks")}
      </fieldset>
      <div className="grid gap-3 sm:grid-cols-3">
        {field("recency", "Recency", "Full when they wrote today, halving every half-life")}
        {field("frequency", "Frequency", "Full at 8 recent days they wrote on")}
        {field("intent", "Buying intent", "AI-detected buying intent or their own buying words (70%)")}
      </div>
      <fieldset className="grid gap-3 sm:grid-cols-3">
        <legend className="mb-1 text-sm font-semibold text-slate-700">Fit</legend>
        {field("email", "Email known", "Points when the contact has an email", -50, 50)}
        {field("company", "Company known", "Points when the contact has a company", -50, 50)}
        {field("halfLifeDays", "Half-life (days)", "After this many days an event counts half", 1, 180)}
      </fieldset>
      <fieldset className="space-y-2">
        <legend className="text-sm font-semibold text-slate-700">Tag rules</legend>
        {draft.tags.length === 0 && <p className="text-xs text-slate-500">No tag rules: a tag such as “vip” can add points, “churned” can take them away.</p>}
        {draft.tags.map((t, i) => (
          <div key={t.key} className="flex items-end gap-2">
            <TextField label={`Tag ${i + 1}`} value={t.tag} onChange={(e) => set({ tags: draft.tags.map((x) => (x.key === t.key ? { ...x, tag: e.target.value } : x)) })} />
            <TextField label={`Points for tag ${i + 1}`} type="number" min={-50} max={50} value={t.points} onChange={(e) => set({ tags: draft.tags.map((x) => (x.key === t.key ? { ...x, points: e.target.value } : x)) })} />
            <Button type="button" variant="ghost" onClick={() => set({ tags: draft.tags.filter((x) => x.key !== t.key) })} aria-label={`Remove tag rule ${i + 1}`}>
              Remove
            </Button>
          </div>
        ))}
        <Button
          type="button"
          variant="ghost"
          onClick={() => {
            set({ tags: [...draft.tags, { key: nextKey, tag: "", points: "10" }] });
            setNextKey(nextKey + 1);
          }}
        >
          Add tag rule
        </Button>
      </fieldset>
      {(save.error || problem) && <ErrorText>{save.error ?? problem}</ErrorText>}
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={save.busy}>
          Save weights
        </Button>
        {saved && (
          <span role="status" className="text-sm text-emerald-700">
            {saved}
          </span>
        )}
      </div>
    </form>
  );
}
