"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ErrorText, SelectField, TextField } from "@/components/ui/field";
import type { ContactResponse } from "@/lib/schemas/contact";
import { sendJson } from "@/lib/swr/fetcher";

/** The person's details, editable in place by those who manage contacts (the same PATCH the inbox panel uses). */
export function ContactProfileEditor({ contact, canEdit, owners }: { contact: ContactResponse; canEdit: boolean; owners: { id: string; name: string }[] }) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState({ name: contact.name ?? "", email: contact.email ?? "", company: contact.company ?? "", tags: contact.tags.join(", "), ownerId: contact.ownerId ?? "" });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await sendJson(`/api/contacts/${contact.id}`, "PATCH", {
        name: form.name,
        email: form.email,
        company: form.company,
        tags: form.tags.split(",").map((t) => t.trim()).filter(Boolean),
        ownerId: form.ownerId || null,
      });
      setEditing(false);
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const rows: [string, string | null][] = [
    ["Phone", contact.phone ?? (contact.username ? `@${contact.username}` : null)],
    ["WhatsApp name", contact.profileName],
    ["Email", contact.email],
    ["Company", contact.company],
    ["Tags", contact.tags.join(", ") || null],
    ["Owner", contact.ownerId ? (owners.find((o) => o.id === contact.ownerId)?.name ?? "Former teammate") : null],
    ["Source", contact.source.kind.replace(/_/g, " ")],
    ["Created", new Date(contact.createdAt).toLocaleDateString()],
    ["Last message", contact.lastInboundAt ? new Date(contact.lastInboundAt).toLocaleString() : "Never"],
    ...Object.entries(contact.customFields).map(([k, v]) => [k, v] as [string, string]),
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
          <TextField label="Email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
          <TextField label="Company" value={form.company} onChange={(e) => setForm({ ...form, company: e.target.value })} />
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
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function erase(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await sendJson(`/api/contacts/${contactId}/erase`, "POST", { confirm: "erase" });
      router.push("/contacts");
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
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
