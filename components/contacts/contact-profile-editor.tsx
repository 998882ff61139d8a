"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ErrorText, SelectField, TextField } from "@/components/ui/field";
import type { ContactResponse } from "@/lib/schemas/contact";
import { sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";
import { commaList } from "./comma-list";

/** The person's details, editable in place by those who manage contacts (the same PATCH the inbox panel uses). */
type FieldDef = { key: string; label: string; type: string; options: string[]; required: boolean };

/** An input for one custom field, by its type (values are text: "true"/"false", options joined by ", "). */
function CustomInput({ def, value, onChange }: { def: FieldDef; value: string; onChange: (v: string) => void }) {
  const cls = "mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm";
  const label = `${def.label}${def.required ? " (required)" : ""}`;
  if (def.type === "boolean" || def.type === "single_select") {
    const opts = def.type === "boolean" ? [["true", "Yes"], ["false", "No"]] : def.options.map((o) => [o, o]);
    return (
      <label className="block text-sm font-medium text-slate-700">
        {label}
        <select className={cls} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">—</option>
          {opts.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      </label>
    );
  }
  if (def.type === "multi_select") {
    const chosen = value ? value.split(", ") : [];
    return (
      <fieldset className="text-sm">
        <legend className="font-medium text-slate-700">{label}</legend>
        {def.options.map((o) => (
          <label key={o} className="mr-3 inline-flex items-center gap-1">
            <input type="checkbox" checked={chosen.includes(o)} onChange={(e) => onChange((e.target.checked ? [...chosen, o] : chosen.filter((x) => x !== o)).join(", "))} />
            {o}
          </label>
        ))}
      </fieldset>
    );
  }
  const type = { number: "number", date: "date", url: "url", phone: "tel" }[def.type] ?? "text";
  return <TextField label={label} type={type} value={value} onChange={(e) => onChange(e.target.value)} />;
}

export function ContactProfileEditor({
  contact,
  canEdit,
  owners,
  customFields,
}: {
  contact: ContactResponse;
  canEdit: boolean;
  owners: { id: string; name: string }[];
  customFields: FieldDef[];
}) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState({
    name: contact.name ?? "",
    phone: contact.phone ?? "",
    email: contact.email ?? "",
    company: contact.company ?? "",
    address: contact.address ?? "",
    language: contact.language ?? "",
    tags: contact.tags.join(", "),
    ownerId: contact.ownerId ?? "",
  });
  const [custom, setCustom] = useState<Record<string, string>>(contact.customFields);
  const { busy, error, run } = useAction();

  async function save(e: React.FormEvent) {
    e.preventDefault();
    const saved = await run(() =>
      sendJson(`/api/contacts/${contact.id}`, "PATCH", {
        name: form.name,
        ...(form.phone.trim() && form.phone.trim() !== contact.phone ? { phone: form.phone.trim() } : {}),
        email: form.email,
        company: form.company,
        address: form.address,
        language: form.language,
        tags: commaList(form.tags),
        ownerId: form.ownerId || null,
        customFields: custom,
      }),
    );
    if (saved) {
      setEditing(false);
      router.refresh();
    }
  }

  const rows: [string, string | null][] = [
    ["Phone", contact.phone ?? (contact.username ? `@${contact.username}` : null)],
    ["WhatsApp name", contact.profileName],
    ["Email", contact.email],
    ["Company", contact.company],
    ["Address", contact.address],
    ["Language", contact.language],
    ["Tags", contact.tags.join(", ") || null],
    ["Owner", contact.ownerId ? (owners.find((o) => o.id === contact.ownerId)?.name ?? "Former teammate") : null],
    ["Source", contact.source.kind.replace(/_/g, " ")],
    ["Created", new Date(contact.createdAt).toLocaleDateString()],
    ["Last message", contact.lastInboundAt ? new Date(contact.lastInboundAt).toLocaleString() : "Never"],
    ...Object.entries(contact.customFields).map(([k, v]) => [customFields.find((f) => f.key === k)?.label ?? k, v] as [string, string]),
  ];
  return (
    <section aria-labelledby="contact-h" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex items-start justify-between gap-2">
        <h1 id="contact-h" className="text-lg font-semibold">
          {contact.name ?? contact.profileName ?? contact.phone ?? "Unnamed contact"}
        </h1>
        {canEdit && !editing && (
          <Button variant="secondary" onClick={() => setEditing(true)}>
            Edit
          </Button>
        )}
      </div>
      {editing ? (
        <form onSubmit={save} className="space-y-2">
          <TextField label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          <TextField label="Phone" type="tel" value={form.phone} onChange={(e) => setForm({ ...form, phone: e.target.value })} placeholder="+49 30 1234567" />
          <TextField label="Email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
          <TextField label="Company" value={form.company} onChange={(e) => setForm({ ...form, company: e.target.value })} />
          <TextField label="Address" value={form.address} onChange={(e) => setForm({ ...form, address: e.target.value })} />
          <TextField label="Language" value={form.language} onChange={(e) => setForm({ ...form, language: e.target.value })} placeholder="en, de, pt-BR" />
          {customFields.map((f) => (
            <CustomInput key={f.key} def={f} value={custom[f.key] ?? ""} onChange={(v) => setCustom({ ...custom, [f.key]: v })} />
          ))}
          <TextField label="Tags" value={form.tags} onChange={(e) => setForm({ ...form, tags: e.target.value })} />
          <SelectField label="Owner" value={form.ownerId} onChange={(e) => setForm({ ...form, ownerId: e.target.value })}>
            <option value="">Nobody</option>
            {owners.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </SelectField>
          <ErrorText>{error}</ErrorText>
          <div className="flex gap-2">
            <Button type="submit" disabled={busy}>
              {busy ? "Saving…" : "Save"}
            </Button>
            <Button type="button" variant="ghost" onClick={() => setEditing(false)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <dl className="grid grid-cols-[7rem_1fr] gap-x-2 gap-y-1 text-sm">
          {rows.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-slate-500">{k}</dt>
              <dd className="break-words">{v ?? "—"}</dd>
            </div>
          ))}
        </dl>
      )}
      {canEdit && <PrivacyActions contactId={contact.id} />}
    </section>
  );
}

/** GDPR: the person's data as one file, and erasure (typed confirmation: it cannot be undone). */
function PrivacyActions({ contactId }: { contactId: string }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState("");
  const { busy, error, run } = useAction();

  async function erase(e: React.FormEvent) {
    e.preventDefault();
    if (await run(() => sendJson(`/api/contacts/${contactId}/erase`, "POST", { confirm: "erase" }))) router.push("/contacts");
  }

  return (
    <div className="space-y-2 border-t border-slate-100 pt-3">
      <h2 className="text-sm font-semibold text-slate-700">Privacy</h2>
      <div className="flex flex-wrap gap-2">
        <a href={`/api/contacts/${contactId}/data`} download className="rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-slate-300 hover:bg-slate-50">
          Download their data
        </a>
        <Button variant="ghost" className="text-red-700" onClick={() => setConfirming(true)}>
          Erase…
        </Button>
      </div>
      {confirming && (
        <form onSubmit={erase} className="space-y-2 rounded-md bg-red-50 p-3 text-sm">
          <p>
            Their name, numbers, fields and every message text and file are removed for good. Conversations stay, without content, so your reports still add up. Type <strong>erase</strong> to confirm.
          </p>
          <TextField label="Confirmation" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
          <ErrorText>{error}</ErrorText>
          <div className="flex gap-2">
            <Button type="submit" variant="danger" disabled={busy || typed.trim().toLowerCase() !== "erase"}>
              {busy ? "Erasing…" : "Erase this person"}
            </Button>
            <Button type="button" variant="ghost" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
          </div>
        </form>
      )}
    </div>
  );
}
