"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ErrorText } from "@/components/ui/field";
import { sendJson } from "@/lib/swr/fetcher";

type SyncResult = { results: { total: number; created: number; updated: number; removed: number }[] };

export function SyncTemplatesButton() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function sync() {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const { results } = await sendJson<SyncResult>("/api/templates/sync", "POST");
      const total = results.reduce((n, r) => n + r.total, 0);
      const created = results.reduce((n, r) => n + r.created, 0);
      setDone(`Synced ${total} templates from Meta (${created} new).`);
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : "Sync failed");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="flex flex-col items-end gap-2">
      <Button onClick={sync} disabled={busy}>
        {busy ? "Syncing…" : "Sync from Meta"}
      </Button>
      {done && (
        <p role="status" className="text-sm text-emerald-700">
          {done}
        </p>
      )}
      <ErrorText>{error}</ErrorText>
    </div>
  );
}
