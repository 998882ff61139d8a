"use client";

import { useMemo, useState } from "react";
import { Button } from "@/components/ui/button";
import type { TemplateResponse } from "@/lib/schemas/template";
import { useApprovedTemplates } from "@/lib/swr/use-inbox-meta";
import type { ComposerSend } from "./composer";

type Part = { type: "header" | "body"; text: string; vars: string[] };

function partsOf(t: TemplateResponse): Part[] {
  const out: Part[] = [];
  for (const c of t.components) {
    const type = String(c.type ?? "").toUpperCase();
    if ((type === "HEADER" && String(c.format ?? "TEXT").toUpperCase() === "TEXT") || type === "BODY") {
      const text = String(c.text ?? "");
      const vars = [...new Set([...text.matchAll(/\{\{\s*([\w]+)\s*\}\}/g)].map((m) => m[1]!))];
      out.push({ type: type === "HEADER" ? "header" : "body", text, vars });
    }
  }
  return out;
}

function fill(text: string, values: Record<string, string>) {
  return text.replace(/\{\{\s*([\w]+)\s*\}\}/g, (_m, v: string) => values[v] || `{{${v}}}`);
}

/** Approved templates with an input per variable and a live preview of what the customer will read. */
export function TemplatePicker({ onSend }: { onSend: ComposerSend }) {
  const { data, error, isLoading } = useApprovedTemplates(true);
  const templates = data?.templates ?? [];
  const [selected, setSelected] = useState<string>("");
  const [values, setValues] = useState<Record<string, string>>({});
  const template = templates.find((t) => t.id === selected) ?? null;
  const parts = useMemo(() => (template ? partsOf(template) : []), [template]);
  const missing = parts.flatMap((p) => p.vars).filter((v) => !values[`${v}`]?.trim());

  function send() {
    if (!template) return;
    const named = template.parameterFormat === "named";
    const components = parts
      .filter((p) => p.vars.length > 0)
      .map((p) => ({
        type: p.type,
        parameters: p.vars.map((v) => ({ type: "text", text: values[v]!.trim(), ...(named ? { parameter_name: v } : {}) })),
      }));
    const preview = parts.map((p) => fill(p.text, values)).join("\n");
    onSend({ type: "template", template: { name: template.name, language: template.language, ...(components.length ? { components } : {}) } }, preview);
    setSelected("");
    setValues({});
  }

  if (isLoading) return <p className="text-sm text-slate-500">Loading templates…</p>;
  if (error) return <p role="alert" className="text-sm text-red-700">{error.message}</p>;
  if (templates.length === 0) return <p className="text-sm text-slate-600">No approved templates yet. An admin can sync them from WhatsApp Manager.</p>;
  return (
    <div className="space-y-2 text-sm" data-testid="template-picker">
      <label className="block font-medium text-slate-700">
        Approved template
        <select
          className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5"
          value={selected}
          onChange={(e) => (setSelected(e.target.value), setValues({}))}
        >
          <option value="">Choose a template…</option>
          {templates.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name} ({t.language}) · {t.category.toLowerCase()}
            </option>
          ))}
        </select>
      </label>
      {template && (
        <>
          {parts.flatMap((p) =>
            p.vars.map((v) => (
              <label key={`${p.type}-${v}`} className="block text-slate-700">
                {p.type === "header" ? "Header" : "Body"} variable {`{{${v}}}`}
                <input
                  className="mt-0.5 block w-full rounded-md border border-slate-300 px-2 py-1"
                  value={values[v] ?? ""}
                  onChange={(e) => setValues((x) => ({ ...x, [v]: e.target.value }))}
                  maxLength={1024}
                />
              </label>
            )),
          )}
          <div aria-label="Preview" className="whitespace-pre-wrap rounded-lg bg-emerald-50 p-2 ring-1 ring-emerald-200" data-testid="template-preview">
            {parts.map((p, i) => (
              <p key={i} className={p.type === "header" ? "font-semibold" : ""}>
                {fill(p.text, values)}
              </p>
            ))}
          </div>
          <Button type="button" onClick={send} disabled={missing.length > 0}>
            Send template
          </Button>
          {missing.length > 0 && <span className="ml-2 text-xs text-slate-500">Fill every variable to send</span>}
        </>
      )}
    </div>
  );
}
