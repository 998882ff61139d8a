"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ErrorText, TextField } from "@/components/ui/field";
import { sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";

/** A number's campaign sending: its throughput and whether marketing templates use the Marketing Messages API. */
export function AccountSendingForm({ id, throughputMps, marketingMessagesApi }: { id: string; throughputMps: number; marketingMessagesApi: boolean }) {
  const [rate, setRate] = useState(String(throughputMps));
  const [mm, setMm] = useState(marketingMessagesApi);
  const [saved, setSaved] = useState(false);
  const save = useAction();
  return (
    <form
      aria-label="Campaign sending"
      className="flex flex-wrap items-end gap-3"
      onSubmit={async (e) => {
        e.preventDefault();
        setSaved(false);
        if (await save.run(() => sendJson(`/api/whatsapp-accounts/${id}`, "PATCH", { throughputMps: Number(rate), marketingMessagesApi: mm }))) setSaved(true);
      }}
    >
      <div className="w-48">
        <TextField label="Campaign throughput (msg/s)" type="number" min={1} max={1000} value={rate} onChange={(e) => setRate(e.target.value)} />
      </div>
      <label className="flex items-center gap-2 pb-1.5 text-sm">
        <input type="checkbox" checked={mm} onChange={(e) => setMm(e.target.checked)} />
        Send marketing templates through the Marketing Messages API
      </label>
      <Button type="submit" variant="secondary" disabled={save.busy}>
        Save
      </Button>
      {saved && <span role="status" className="pb-1.5 text-sm text-emerald-700">Saved</span>}
      <div className="w-full">
        <ErrorText>{save.error}</ErrorText>
      </div>
    </form>
  );
}
