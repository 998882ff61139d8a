"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { Button } from "@/components/ui/button";
import { ErrorText, SelectField, TextField } from "@/components/ui/field";
import { sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";
import { variableFields, type CampaignInput, type VariableSource } from "@/lib/schemas/campaign";
import { journeyStageLabels, journeyStages } from "@/lib/schemas/journey";
import type { SegmentGroup } from "@/lib/schemas/segment";
import { renderTemplateText, templateSlots, type TemplateShape, type TemplateSlot } from "@/lib/templates/variables";
import { commaList } from "@/components/contacts/comma-list";

export type ComposerTemplate = TemplateShape & { id: string; name: string; language: string; category: string };
type Option = { id: string; name: string };

export type ComposerProps = {
  templates: ComposerTemplate[];
  segments: Option[];
  lists: Option[];
  customFieldKeys: string[];
  /** The app's tracked-link prefix (a URL button whose template URL starts with it can count clicks). */
  trackedUrlBase: string;
  campaign?: { id: string; input: CampaignInput };
};

type VariantState = { key: "A" | "B"; templateId: string; weight: number; variables: Record<string, VariableSource> };

/** The audience as the campaign stores it: a saved segment and/or lists or tags (any of them). */
function audienceOf(segmentId: string, listIds: string[], tags: string[]): CampaignInput["audience"] {
  const conditions: SegmentGroup["conditions"] = [];
  if (listIds.length) conditions.push({ field: "listIds", op: "has_any", value: listIds });
  if (tags.length) conditions.push({ field: "tags", op: "has_any", value: tags });
  return { segmentId: segmentId || null, definition: conditions.length ? { match: "any", conditions } : null };
}

function readAudience(a: CampaignInput["audience"] | undefined) {
  const conditions = (a?.definition?.conditions ?? []) as { field?: string; value?: unknown }[];
  const values = (field: string) => (conditions.find((c) => c.field === field)?.value as string[] | undefined) ?? [];
  return { segmentId: a?.segmentId ?? "", listIds: values("listIds"), tags: values("tags").join(", ") };
}

/** A sensible first mapping: a variable named like a contact field reads it, the first body variable the first name. */
function defaultVariables(t: ComposerTemplate | undefined): Record<string, VariableSource> {
  if (!t) return {};
  const out: Record<string, VariableSource> = {};
  for (const s of templateSlots(t)) {
    if (s.kind !== "text") continue;
    if (s.key in variableFields) out[s.id] = { source: "field", field: s.key, fallback: "" };
    else if (s.id === "body:1") out[s.id] = { source: "field", field: "first_name", fallback: "there" };
  }
  return out;
}

export function CampaignComposer(props: ComposerProps) {
  const router = useRouter();
  const initial = props.campaign?.input;
  const aud = readAudience(initial?.audience);
  const [name, setName] = useState(initial?.name ?? "");
  const [segmentId, setSegmentId] = useState(aud.segmentId);
  const [listIds, setListIds] = useState<string[]>(aud.listIds);
  const [tags, setTags] = useState(aud.tags);
  const [requireOptIn, setRequireOptIn] = useState(initial?.exclusions.requireOptIn ?? true);
  const [frequencyCapDays, setFrequencyCapDays] = useState(initial?.exclusions.frequencyCapDays ? String(initial.exclusions.frequencyCapDays) : "");
  const [variants, setVariants] = useState<VariantState[]>(
    initial?.variants.map((v) => ({ key: v.key, templateId: v.templateId, weight: v.weight, variables: v.variables })) ?? [{ key: "A", templateId: "", weight: 100, variables: {} }],
  );
  const [controlPercent, setControlPercent] = useState(String(initial?.controlPercent ?? 0));
  const [winner, setWinner] = useState(initial?.winner ?? null);
  const [conversion, setConversion] = useState(initial?.conversion ?? null);
  const save = useAction();

  const templateById = useMemo(() => new Map(props.templates.map((t) => [t.id, t])), [props.templates]);
  const ab = variants.length === 2;

  const setVariant = (i: number, patch: Partial<VariantState>) => setVariants((vs) => vs.map((v, j) => (j === i ? { ...v, ...patch } : v)));
  const toggleAb = (on: boolean) => {
    if (on) setVariants((vs) => [{ ...vs[0]!, weight: 50 }, { key: "B", templateId: "", weight: 50, variables: {} }]);
    else {
      setVariants((vs) => [{ ...vs[0]!, weight: 100 }]);
      setWinner(null);
    }
  };

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const body: CampaignInput = {
      name,
      audience: audienceOf(segmentId, listIds, commaList(tags)),
      exclusions: { requireOptIn, frequencyCapDays: frequencyCapDays ? Number(frequencyCapDays) : null },
      variants,
      controlPercent: Number(controlPercent) || 0,
      winner: ab ? winner : null,
      conversion,
    };
    const res = await save.run(() =>
      props.campaign ? sendJson<{ campaign: { id: string } }>(`/api/campaigns/${props.campaign.id}`, "PUT", body) : sendJson<{ campaign: { id: string } }>("/api/campaigns", "POST", body),
    );
    if (res) router.push(`/campaigns/${res.campaign.id}`);
  }

  if (props.templates.length === 0) {
    return (
      <div className="rounded-lg bg-white p-6 ring-1 ring-slate-200">
        <p className="font-medium">No approved template yet</p>
        <p className="mt-1 text-sm text-slate-600">
          Campaigns send templates Meta has approved. <Link className="text-brand-700 underline" href="/templates/new">Build one</Link> and submit it; it appears here once approved.
        </p>
      </div>
    );
  }

  return (
    <form onSubmit={submit} className="space-y-6" aria-label="Campaign">
      <Section title="1. Name">
        <TextField label="Campaign name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} placeholder="Spring sale" />
      </Section>

      <Section title="2. Audience" hint="A saved segment, and/or everyone on the chosen lists or with the chosen tags. To send to a CSV, import it into a new list first.">
        <SelectField label="Saved segment" value={segmentId} onChange={(e) => setSegmentId(e.target.value)}>
          <option value="">(none)</option>
          {props.segments.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </SelectField>
        <fieldset className="text-sm">
          <legend className="font-medium text-slate-700">Lists</legend>
          {props.lists.length === 0 ? (
            <p className="text-slate-500">
              No lists yet. <Link className="text-brand-700 underline" href="/contacts/import">Import a CSV</Link> into one.
            </p>
          ) : (
            <div className="mt-1 flex flex-wrap gap-3">
              {props.lists.map((l) => (
                <label key={l.id} className="inline-flex items-center gap-1.5">
                  <input type="checkbox" checked={listIds.includes(l.id)} onChange={(e) => setListIds((ids) => (e.target.checked ? [...ids, l.id] : ids.filter((x) => x !== l.id)))} />
                  {l.name}
                </label>
              ))}
            </div>
          )}
        </fieldset>
        <TextField label="Tags (comma-separated)" value={tags} onChange={(e) => setTags(e.target.value)} placeholder="vip, spring-promo" />
      </Section>

      <Section title="3. Exclusions" hint="Opted-out contacts, people who stopped marketing (131050), US numbers for marketing and anyone Meta capped in the last 24 h (131049) are always left out; the plan shows how many.">
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={requireOptIn} onChange={(e) => setRequireOptIn(e.target.checked)} />
          Only contacts who opted in (Meta requires opt-in)
        </label>
        <TextField label="Frequency cap: skip anyone who got a campaign in the last … days (empty: no cap)" type="number" min={1} max={90} value={frequencyCapDays} onChange={(e) => setFrequencyCapDays(e.target.value)} />
      </Section>

      <Section title="4. Message">
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={ab} onChange={(e) => toggleAb(e.target.checked)} />
          A/B test two variants
        </label>
        {variants.map((v, i) => {
          const t = templateById.get(v.templateId);
          return (
            <div key={v.key} className="space-y-3 rounded-md border border-slate-200 p-3" data-testid={`variant-${v.key}`}>
              <div className="grid gap-3 sm:grid-cols-[1fr_8rem]">
                <SelectField
                  label={ab ? `Variant ${v.key} template` : "Template"}
                  value={v.templateId}
                  required
                  onChange={(e) => setVariant(i, { templateId: e.target.value, variables: defaultVariables(templateById.get(e.target.value)) })}
                >
                  <option value="">Choose an approved template…</option>
                  {props.templates.map((x) => (
                    <option key={x.id} value={x.id}>
                      {x.name} ({x.language}, {x.category.toLowerCase()})
                    </option>
                  ))}
                </SelectField>
                {ab && <TextField label="Share %" type="number" min={1} max={99} value={v.weight} onChange={(e) => setVariant(i, { weight: Number(e.target.value) })} />}
              </div>
              {t && <VariableMapping template={t} variables={v.variables} customFieldKeys={props.customFieldKeys} trackedUrlBase={props.trackedUrlBase} onChange={(variables) => setVariant(i, { variables })} />}
              {t && <Preview template={t} variables={v.variables} />}
            </div>
          );
        })}
      </Section>

      <Section title="5. Measurement" hint="A control group is never sent to: comparing its conversions with the recipients' shows what the campaign itself changed.">
        <TextField label="Control group (% of the audience, not sent)" type="number" min={0} max={50} value={controlPercent} onChange={(e) => setControlPercent(e.target.value)} />
        <div className="grid gap-3 sm:grid-cols-3">
          <SelectField
            label="Conversion goal"
            value={conversion?.kind ?? ""}
            onChange={(e) =>
              setConversion(
                e.target.value === "tag"
                  ? { kind: "tag", tag: "", windowHours: 72 }
                  : e.target.value === "event"
                    ? { kind: "event", name: "", windowHours: 72 }
                    : e.target.value === "journey_stage"
                      ? { kind: "journey_stage", stage: "purchase", windowHours: 72 }
                      : null,
              )
            }
          >
            <option value="">None</option>
            <option value="tag">The contact gets a tag</option>
            <option value="journey_stage">The contact reaches a journey stage</option>
            <option value="event">An API event</option>
          </SelectField>
          {conversion?.kind === "journey_stage" && (
            <SelectField label="Stage" value={conversion.stage} onChange={(e) => setConversion({ ...conversion, stage: e.target.value as typeof conversion.stage })}>
              {journeyStages.map((s) => (
                <option key={s} value={s}>
                  {journeyStageLabels[s]}
                </option>
              ))}
            </SelectField>
          )}
          {conversion && conversion.kind !== "journey_stage" && (
            <TextField
              label={conversion.kind === "tag" ? "Tag" : "Event name"}
              required
              value={conversion.kind === "tag" ? conversion.tag : conversion.name}
              onChange={(e) => setConversion(conversion.kind === "tag" ? { ...conversion, tag: e.target.value } : { ...conversion, name: e.target.value })}
            />
          )}
          {conversion && <TextField label="Within hours" type="number" min={1} max={720} value={conversion.windowHours} onChange={(e) => setConversion({ ...conversion, windowHours: Number(e.target.value) })} />}
        </div>
        {ab && (
          <div className="space-y-3 rounded-md bg-slate-50 p-3">
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={!!winner} onChange={(e) => setWinner(e.target.checked ? { metric: "reply_rate", afterHours: 4, holdbackPercent: 60 } : null)} />
              Send the rest with the winner
            </label>
            {winner && (
              <div className="grid gap-3 sm:grid-cols-3">
                <SelectField label="Winner by" value={winner.metric} onChange={(e) => setWinner({ ...winner, metric: e.target.value as "reply_rate" | "conversion_rate" })}>
                  <option value="reply_rate">Reply rate</option>
                  <option value="conversion_rate">Conversion rate</option>
                </SelectField>
                <TextField label="After hours" type="number" min={1} max={168} value={winner.afterHours} onChange={(e) => setWinner({ ...winner, afterHours: Number(e.target.value) })} />
                <TextField label="Held back for the winner (%)" type="number" min={10} max={90} value={winner.holdbackPercent} onChange={(e) => setWinner({ ...winner, holdbackPercent: Number(e.target.value) })} />
              </div>
            )}
          </div>
        )}
      </Section>

      <ErrorText>{save.error}</ErrorText>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={save.busy}>
          {save.busy ? "Saving…" : props.campaign ? "Save changes" : "Save and see the plan"}
        </Button>
        <Link href={props.campaign ? `/campaigns/${props.campaign.id}` : "/campaigns"} className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
          Cancel
        </Link>
      </div>
    </form>
  );
}

function Section({ title, hint, children }: { title: string; hint?: string; children: React.ReactNode }) {
  return (
    <fieldset className="space-y-3 rounded-lg bg-white p-4 ring-1 ring-slate-200">
      <legend className="px-1 text-sm font-semibold">{title}</legend>
      {hint && <p className="text-sm text-slate-500">{hint}</p>}
      {children}
    </fieldset>
  );
}

function VariableMapping(props: { template: ComposerTemplate; variables: Record<string, VariableSource>; customFieldKeys: string[]; trackedUrlBase: string; onChange: (v: Record<string, VariableSource>) => void }) {
  const slots = templateSlots(props.template);
  if (slots.length === 0) return <p className="text-sm text-slate-500">This template has no variables.</p>;
  const set = (id: string, v: VariableSource | null) => {
    const next = { ...props.variables };
    if (v) next[id] = v;
    else delete next[id];
    props.onChange(next);
  };
  return (
    <div className="space-y-2" aria-label="Variables">
      {slots.map((s) => (
        <SlotRow key={s.id} slot={s} value={props.variables[s.id]} customFieldKeys={props.customFieldKeys} tracked={trackedButton(props.template, s, props.trackedUrlBase)} onChange={(v) => set(s.id, v)} />
      ))}
    </div>
  );
}

/** A URL button whose template URL is the app's /r/{{1}} redirect can carry a tracked link. */
function trackedButton(t: ComposerTemplate, s: TemplateSlot, base: string): boolean {
  if (s.component !== "button" || s.kind !== "text") return false;
  const buttons = (t.components.find((c) => String(c.type).toUpperCase() === "BUTTONS")?.buttons ?? []) as { url?: string }[];
  return String(buttons[s.buttonIndex ?? -1]?.url ?? "").startsWith(base);
}

function SlotRow({ slot, value, customFieldKeys, tracked, onChange }: { slot: TemplateSlot; value: VariableSource | undefined; customFieldKeys: string[]; tracked: boolean; onChange: (v: VariableSource | null) => void }) {
  const kind = value?.source ?? "";
  return (
    <div role="group" aria-label={slot.label} className="grid items-end gap-2 sm:grid-cols-[10rem_10rem_1fr_1fr]">
      <span className="text-sm font-medium text-slate-700" aria-hidden>{slot.label}</span>
      <SelectField
        label="Value from"
        value={kind}
        onChange={(e) =>
          onChange(
            e.target.value === "field" ? { source: "field", field: "first_name", fallback: "" } : e.target.value === "static" ? { source: "static", value: "" } : e.target.value === "tracked_link" ? { source: "tracked_link", url: "https://" } : null,
          )
        }
      >
        <option value="">Choose…</option>
        <option value="field">Contact field</option>
        <option value="static">Same text for everyone</option>
        {tracked && <option value="tracked_link">Tracked link</option>}
      </SelectField>
      {value?.source === "field" && (
        <>
          <SelectField label="Field" value={value.field} onChange={(e) => onChange({ ...value, field: e.target.value })}>
            {Object.entries(variableFields).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
            {customFieldKeys.map((k) => (
              <option key={k} value={`customFields.${k}`}>
                {k} (custom)
              </option>
            ))}
          </SelectField>
          <TextField label="If empty" value={value.fallback} onChange={(e) => onChange({ ...value, fallback: e.target.value })} placeholder="there" />
        </>
      )}
      {value?.source === "static" && <TextField label="Text" value={value.value} required onChange={(e) => onChange({ ...value, value: e.target.value })} />}
      {value?.source === "tracked_link" && <TextField label="Opens" type="url" value={value.url} required onChange={(e) => onChange({ ...value, url: e.target.value })} />}
    </div>
  );
}

function Preview({ template, variables }: { template: ComposerTemplate; variables: Record<string, VariableSource> }) {
  const values = Object.fromEntries(
    Object.entries(variables).map(([id, v]) => [id, v.source === "static" ? v.value : v.source === "field" ? `[${variableFields[v.field as keyof typeof variableFields] ?? v.field}]` : "[link]"]),
  );
  const text = renderTemplateText(template, values);
  return (
    <div className="rounded-lg bg-[#e5ddd5] p-3" aria-label="Preview">
      <div className="max-w-sm rounded-lg bg-white p-2.5 text-sm shadow">
        {text.header && <p className="font-semibold">{text.header}</p>}
        <p className="whitespace-pre-wrap">{text.body}</p>
        {text.footer && <p className="mt-1 text-xs text-slate-500">{text.footer}</p>}
      </div>
    </div>
  );
}
