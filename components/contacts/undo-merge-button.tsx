"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { sendJson } from "@/lib/swr/fetcher";

/** Splits a merge again from the survivor's page. */
export function UndoMergeButton({ mergeId, name }: { mergeId: string; name: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function undo() {
    if (!window.confirm(`Split “${name}” off again? Their conversations and history go back to them.`)) return;
    setBusy(true);
    try {
      await sendJson(`/api/contacts/merges/${mergeId}/undo`, "POST");
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }
  return (
    <span className="inline-flex items-center gap-2">
      <Button variant="secondary" onClick={undo} disabled={busy}>
        {busy ? "Undoing…" : "Undo merge"}
      </Button>
      {error && <span role="alert" className="text-sm text-red-700">{error}</span>}
    </span>
  );
}
