"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { ErrorText, TextField } from "@/components/ui/field";
import { sendJson } from "@/lib/swr/fetcher";

/** Adds a customer by hand: a phone (with a default country for local formats) or a WhatsApp user id. */
export function NewContactDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: () => void }) {
  const [phone, setPhone] = useState("");
  const [country, setCountry] = useState("");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [company, setCompany] = useState("");
  const [tags, setTags] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await sendJson("/api/contacts", "POST", {
        phone: phone.trim(),
        ...(country.trim() ? { defaultCountry: country.trim() } : {}),
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(email.trim() ? { email: email.trim() } : {}),
        ...(company.trim() ? { company: company.trim() } : {}),
        ...(tags.trim() ? { tags: tags.split(",").map((t) => t.trim()).filter(Boolean) } : {}),
      });
      setPhone("");
      setName("");
      setEmail("");
      setCompany("");
      setTags("");
      onCreated();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open={open} onClose={onClose} title="New contact">
      <form onSubmit={submit} className="space-y-3">
        <div className="grid grid-cols-3 gap-2">
          <div className="col-span-2">
            <TextField label="Phone" required value={phone} onChange={(e) => setPhone(e.target.value)} placeholder="+49 30 1234567" autoComplete="off" />
          </div>
          <TextField label="Country" value={country} onChange={(e) => setCountry(e.target.value)} placeholder="US" maxLength={2} title="For numbers written without +country code" />
        </div>
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} />
        <TextField label="Email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        <TextField label="Company" value={company} onChange={(e) => setCompany(e.target.value)} />
        <TextField label="Tags" value={tags} onChange={(e) => setTags(e.target.value)} placeholder="vip, trade fair" />
        <ErrorText>{error}</ErrorText>
        <div className="flex justify-end gap-2">
          <Button type="button" variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={busy}>
            {busy ? "Adding…" : "Add contact"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
