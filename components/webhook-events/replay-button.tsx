"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { sendJson } from "@/lib/swr/fetcher";
import type { WebhookEventRow } from "@/lib/webhook/events-admin";

/** Reprocesses one stored envelope, then re-renders the list with its new outcome. */
export function ReplayButton({ id }: { id: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  async function replay() {
    setBusy(true);
    setResult(null);
    try {
      const { event } = await sendJson<{ event: WebhookEventRow }>(`/api/webhook-events/${id}/replay`, "POST");
      setResult(`Replayed: ${event.outcome}`);
      router.refresh();
    } catch (err) {
      setResult((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <span className="inline-flex flex-col items-end gap-1">
      <Button variant="secondary" disabled={busy} onClick={replay} data-testid={`replay-${id}`}>
        {busy ? "Replaying…" : "Replay"}
      </Button>
      {result && <span role="status" className="text-xs text-slate-600">{result}</span>}
    </span>
  );
}
