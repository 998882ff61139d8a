"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ErrorText, SelectField, TextField } from "@/components/ui/field";
import { customFieldTypes, type CustomFieldResponse } from "@/lib/schemas/custom-field";
import { sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";
import { commaList } from "./comma-list";

const typeLabels: Record<(typeof customFieldTypes)[number], string> = {
  text: "Text",
  number: "Number",
  date: "Date",
  boolean: "Yes / no",
  single_select: "One of a list",
  multi_select: "Several of a list",
  url: "Web address",
  phone: "Phone",
};

/** Admins define the custom fields contacts carry; every write path then checks values by type. */
export function CustomFieldsManager({ initial }: { initial: CustomFieldResponse[] }) {
  const [fields, setFields] = useState(initial);
  const empty = { key: "", label: "", type: "text" as CustomFieldResponse["type"], options: "", required: false, showInInbox: true };
  const [form, setForm] = useState(empty);
  // The definition being edited (its key stays), or null for a new one.
  const [editing, setEditing] = useState<string | null>(null);
  const { busy, error, run } = useAction();

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const body = { ...form, options: form.type.endsWith("_select") ? commaList(form.options) : [] };
    const res = await run(() =>
      editing
        ? sendJson<{ customField: CustomFieldResponse }>(`/api/custom-fields/${editing}`, "PUT", body)
        : sendJson<{ customField: CustomFieldResponse }>("/api/custom-fields", "POST", body),
    );
    if (!res) return;
    setFields([...fields.filter((f) => f.id !== res.customField.id), res.customField].sort((a, b) => a.key.localeCompare(b.key)));
    setForm(empty);
    setEditing(null);
  }

  function edit(f: CustomFieldResponse) {
    setEditing(f.id);
    setForm({ key: f.key, label: f.label, type: f.type, options: f.options.join(", "), required: f.required, showInInbox: f.showInInbox });
  }

  async function remove(f: CustomFieldResponse) {
    if (!window.confirm(`Remove the field “${f.label}”? Values already on contacts stay, as plain text.`)) return;
    if (await run(() => sendJson(`/api/custom-fields/${f.id}`, "DELETE"))) setFields(fields.filter((x) => x.id !== f.id));
  }

  return (
    <div className="max-w-3xl space-y-4">
      <h1 className="text-xl font-semibold">Custom fields</h1>
      <p className="text-sm text-slate-600">What you keep about customers beyond name, phone, email and company. Values are checked by type wherever they are written: by hand, in an import or through the API.</p>
      {fields.length === 0 ? (
        <p className="text-sm text-slate-500">No custom fields yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
          {fields.map((f) => (
            <li key={f.id} className="flex flex-wrap items-center justify-between gap-2 px-3 py-2 text-sm" data-testid="custom-field">
              <span>
                <span className="font-medium">{f.label}</span> <code className="text-xs text-slate-500">{f.key}</code> · {typeLabels[f.type]}
                {f.options.length ? `: ${f.options.join(", ")}` : ""}
                {f.required ? " · required" : ""}
                {f.showInInbox ? " · shown in the inbox" : ""}
              </span>
              <span className="flex gap-1">
                <Button variant="ghost" onClick={() => edit(f)}>
                  Edit
                </Button>
                <Button variant="ghost" className="text-red-700" onClick={() => remove(f)}>
                  Remove
                </Button>
              </span>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit} aria-label={editing ? "Edit custom field" : "New custom field"} className="grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2">
        <TextField label="Label" required value={form.label} onChange={(e) => setForm({ ...form, label: e.target.value, key: editing ? form.key : form.key || e.target.value.replace(/[^A-Za-z0-9_ -]/g, "").slice(0, 40) })} />
        <TextField label="Key" required value={form.key} disabled={!!editing} title={editing ? "Contacts keep their values under the key: it cannot change" : undefined} onChange={(e) => setForm({ ...form, key: e.target.value })} />
        <SelectField label="Type" value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value as CustomFieldResponse["type"] })}>
          {customFieldTypes.map((t) => (
            <option key={t} value={t}>
              {typeLabels[t]}
            </option>
          ))}
        </SelectField>
        {form.type.endsWith("_select") && <TextField label="Options (comma separated)" required value={form.options} onChange={(e) => setForm({ ...form, options: e.target.value })} />}
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={form.required} onChange={(e) => setForm({ ...form, required: e.target.checked })} /> Required
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={form.showInInbox} onChange={(e) => setForm({ ...form, showInInbox: e.target.checked })} /> Show in the inbox
        </label>
        <div className="sm:col-span-2">
          <ErrorText>{error}</ErrorText>
          <span className="flex gap-2">
            <Button type="submit" disabled={busy}>
              {editing ? "Save field" : "Add field"}
            </Button>
            {editing && (
              <Button type="button" variant="ghost" onClick={() => (setEditing(null), setForm(empty))}>
                Cancel
              </Button>
            )}
          </span>
        </div>
      </form>
    </div>
  );
}
