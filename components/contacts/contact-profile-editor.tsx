"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ErrorText, TextField } from "@/components/ui/field";
import type { ContactResponse } from "@/lib/schemas/contact";
import { sendJson } from "@/lib/swr/fetcher";

/** The person's details, editable in place by those who manage contacts (the same PATCH the inbox panel uses). */
export function ContactProfileEditor({ contact, canEdit }: { contact: ContactResponse; canEdit: boolean }) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState({ name: contact.name ?? "", email: contact.email ?? "", company: contact.company ?? "", tags: contact.tags.join(", ") });
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
    </section>
  );
}
