"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ErrorText } from "@/components/ui/field";
import { sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";

/** A note about the person, added to the top of their timeline. */
export function AddNoteForm({ contactId }: { contactId: string }) {
  const router = useRouter();
  const [text, setText] = useState("");
  const { busy, error, run } = useAction();
  async function add(e: React.FormEvent) {
    e.preventDefault();
    if (await run(() => sendJson(`/api/contacts/${contactId}/notes`, "POST", { text }))) {
      setText("");
      router.refresh();
    }
  }
  return (
    <form onSubmit={add} aria-label="Add a note" className="my-2 space-y-1">
      <textarea aria-label="Note" required value={text} onChange={(e) => setText(e.target.value)} rows={2} placeholder="A note about this person for your team" className="block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm" />
      <ErrorText>{error}</ErrorText>
      <Button type="submit" disabled={busy || !text.trim()}>
        Add note
      </Button>
    </form>
  );
}
