"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { ErrorText, TextField } from "@/components/ui/field";
import { sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";
import { commaList } from "./comma-list";

/** Adds a customer by hand: a phone (with a default country for local formats) or a WhatsApp user id. */
export function NewContactDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: () => void }) {
  const empty = { phone: "", country: "", name: "", email: "", company: "", tags: "" };
  const [form, setForm] = useState(empty);
  const { busy, error, run } = useAction();
  const field = (k: keyof typeof empty) => ({ value: form[k], onChange: (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value }) });

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const { phone, country, name, email, company, tags } = form;
    const created = await run(() =>
      sendJson("/api/contacts", "POST", {
        phone: phone.trim(),
        ...(country.trim() ? { defaultCountry: country.trim() } : {}),
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(email.trim() ? { email: email.trim() } : {}),
        ...(company.trim() ? { company: company.trim() } : {}),
        ...(tags.trim() ? { tags: commaList(tags) } : {}),
      }),
    );
    if (created) {
      setForm(empty);
      onCreated();
    }
  }

  return (
    <Dialog open={open} onClose={onClose} title="New contact">
      <form onSubmit={submit} className="space-y-3">
        <div className="grid grid-cols-3 gap-2">
          <div className="col-span-2">
            <TextField label="Phone" required {...field("phone")} placeholder="+49 30 1234567" autoComplete="off" />
          </div>
          <TextField label="Country" {...field("country")} placeholder="US" maxLength={2} title="For numbers written without +country code" />
        </div>
        <TextField label="Name" {...field("name")} />
        <TextField label="Email" type="email" {...field("email")} />
        <TextField label="Company" {...field("company")} />
        <TextField label="Tags" {...field("tags")} placeholder="vip, trade fair" />
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
