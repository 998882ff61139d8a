"use client";

import Link from "next/link";
import { useState } from "react";
import useSWR from "swr";
import { Button } from "@/components/ui/button";
import type { RunListResponse } from "@/lib/automation/triggers";
import { fetcher } from "@/lib/swr/fetcher";
import { stepKindLabels, type Step } from "@/lib/schemas/automation";

const statusStyle: Record<string, string> = {
  completed: "bg-emerald-100 text-emerald-800",
  failed: "bg-red-100 text-red-800",
  waiting: "bg-amber-100 text-amber-800",
  running: "bg-sky-100 text-sky-800",
};
const traceStyle: Record<string, string> = { done: "text-emerald-700", skipped: "text-amber-700", failed: "text-red-700", waiting: "text-slate-600" };

function eventText(e: RunListResponse["runs"][number]["event"]): string {
  switch (e.kind) {
    case "message":
      return e.text ? `Message “${e.text.slice(0, 60)}”` : "A customer message";
    case "analysis":
      return `AI analysis (${e.intents.join(", ") || "no intent"})`;
    case "inactivity":
      return "The customer went quiet";
    case "behavior":
      return e.event.replace(/_/g, " ");
    case "schedule":
      return `Scheduled run of ${new Date(e.firedAt).toLocaleString("en-GB", { timeZone: "UTC" })} UTC`;
    case "lifecycle":
      return e.event.replace(/_/g, " ");
  }
}

/** A trigger's runs, newest first, refreshed while the page is open; each with its step trace. */
export function AutomationRuns({ id, initial }: { id: string; initial: RunListResponse }) {
  const { data } = useSWR<RunListResponse>(`/api/automations/${id}/runs`, fetcher, { fallbackData: initial, refreshInterval: 3000 });
  const [older, setOlder] = useState<RunListResponse["runs"]>([]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const runs = [...(data?.runs ?? []), ...older];
  const cursor = next === undefined ? data?.nextBefore : next;
  async function more() {
    if (!cursor) return;
    setLoading(true);
    try {
      const page = await fetcher<RunListResponse>(`/api/automations/${id}/runs?before=${encodeURIComponent(cursor)}`);
      setOlder((o) => [...o, ...page.runs]);
      setNext(page.nextBefore);
    } finally {
      setLoading(false);
    }
  }
  return (
    <section aria-label="Runs" className="space-y-2">
      <h2 className="text-lg font-semibold text-slate-900">Runs</h2>
      {runs.length === 0 && <p className="rounded-lg border border-dashed border-slate-300 p-4 text-sm text-slate-600">No runs yet. Each time this automation fires, the run shows here with what every step did.</p>}
      <ul className="space-y-2">
        {runs.map((r) => (
          <li key={r.id} className="rounded-lg border border-slate-200 p-3 text-sm" aria-label={`Run for ${r.contactName}`}>
            <div className="flex flex-wrap items-center gap-2">
              <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${statusStyle[r.status] ?? ""}`}>{r.status}</span>
              <Link href={`/contacts/${r.contactId}`} className="font-medium text-brand-700 hover:underline">
                {r.contactName}
              </Link>
              <span className="text-slate-600">{eventText(r.event)}</span>
              <span className="ml-auto text-xs text-slate-500">
                {new Date(r.startedAt).toLocaleString("en-GB", { timeZone: "UTC" })} UTC · v{r.version}
                {r.durationMs !== null ? ` · ${r.durationMs} ms` : ""}
              </span>
            </div>
            {r.waiting && <p className="mt-1 text-xs text-amber-700">Waiting for {r.waiting.kind === "reply" ? "a reply" : "its delay"} until {new Date(r.waiting.until).toLocaleString("en-GB", { timeZone: "UTC" })} UTC</p>}
            <ol className="mt-1 space-y-0.5">
              {r.trace.map((s, i) => (
                <li key={i} className={traceStyle[s.status] ?? ""}>
                  {stepKindLabels[s.kind as Step["kind"]] ?? s.kind.replace(/_/g, " ")}: {s.detail}
                </li>
              ))}
            </ol>
            {r.error && <p className="mt-1 text-xs text-red-700">{r.error}</p>}
          </li>
        ))}
      </ul>
      {cursor && (
        <Button variant="secondary" onClick={more} disabled={loading}>
          {loading ? "Loading…" : "Load older runs"}
        </Button>
      )}
    </section>
  );
}
