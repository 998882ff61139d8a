"use client";

import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";

/** Splits a merge again from the survivor's page. */
export function UndoMergeButton({ mergeId, name }: { mergeId: string; name: string }) {
  const router = useRouter();
  const { busy, error, run } = useAction();
  async function undo() {
    if (!window.confirm(`Split “${name}” off again? Their conversations and history go back to them.`)) return;
    if (await run(() => sendJson(`/api/contacts/merges/${mergeId}/undo`, "POST"))) router.refresh();
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
