"use client";

import useSWR from "swr";
import { Button } from "@/components/ui/button";
import { ErrorText } from "@/components/ui/field";
import { factorLabels, type LeadScoreResponse } from "@/lib/schemas/lead-score";
import { fetcher, sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";

const day = (iso: string) => new Date(iso).toLocaleDateString(undefined, { month: "short", day: "numeric" });

/** The contact's lead score: the number, why (factor by factor with the events behind it), how it moved, and the lock. */
export function LeadScoreCard({ contactId, initial, canLock }: { contactId: string; initial: LeadScoreResponse | null; canLock: boolean }) {
  const key = `/api/contacts/${contactId}/score`;
  const { data, mutate } = useSWR<{ score: LeadScoreResponse | null }>(key, fetcher, { fallbackData: { score: initial }, revalidateOnMount: false });
  const { busy, error, run } = useAction();
  const s = data?.score ?? null;

  async function toggleLock(locked: boolean) {
    const res = await run(() => sendJson<{ score: LeadScoreResponse }>(key, "PUT", { locked }));
    if (res) await mutate(res, { revalidate: false });
  }

  return (
    <section aria-labelledby="lead-score-h" className="rounded-lg border border-slate-200 bg-white p-4" data-testid="lead-score-card">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="lead-score-h" className="text-base font-semibold">
          Lead score: {s ? <span data-testid="lead-score-value">{s.score}</span> : "not scored yet"}
          {s?.locked && <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-800">Locked</span>}
        </h2>
        {canLock && (
          <Button type="button" variant="ghost" disabled={busy} onClick={() => toggleLock(!s?.locked)}>
            {s?.locked ? "Unlock score" : "Lock score"}
          </Button>
        )}
      </div>
      {error && <ErrorText>{error}</ErrorText>}
      {!s ? (
        <p className="mt-1 text-sm text-slate-500">Scores are computed after the customer writes and every night.{canLock ? " Locking scores the contact now." : ""}</p>
      ) : (
        <>
          <p className="mt-1 text-sm text-slate-700" data-testid="lead-score-explanation">
            {s.explanation}
          </p>
          <p className="text-xs text-slate-500">
            Computed {new Date(s.computedAt).toLocaleString()}
            {s.locked && ` · locked by ${s.locked.byName} on ${new Date(s.locked.at).toLocaleString()}: jobs leave it as it is until it is unlocked`}
          </p>
          <dl className="mt-3 space-y-2 text-sm">
            {s.factors.map((f) => (
              <div key={f.key}>
                <dt className="flex items-baseline justify-between font-medium">
                  <span>{factorLabels[f.key]}</span>
                  <span className="tabular-nums">
                    {f.points} <span className="text-xs font-normal text-slate-500">of {f.max}</span>
                  </span>
                </dt>
                <dd>
                  {f.evidence.length === 0 ? (
                    <span className="text-xs text-slate-500">No events</span>
                  ) : (
                    <ul className="text-xs text-slate-600">
                      {f.evidence.map((e, i) => (
                        <li key={i}>
                          {e.text} <span className="text-slate-400">({e.points >= 0 ? "+" : ""}{e.points})</span>
                        </li>
                      ))}
                    </ul>
                  )}
                </dd>
              </div>
            ))}
          </dl>
          {s.history.length > 1 && (
            <div className="mt-3">
              <h3 className="text-xs font-semibold uppercase text-slate-500">History</h3>
              <ol className="mt-1 flex items-end gap-1" aria-label="Score history" data-testid="lead-score-history">
                {s.history.map((h, i) => (
                  <li key={i} title={`${day(h.at)}: ${h.score}`} className="flex w-4 flex-col items-center">
                    <span className="block w-3 rounded-t bg-brand-600" style={{ height: `${Math.max(2, h.score * 0.4)}px` }} aria-hidden />
                    <span className="sr-only">
                      {day(h.at)}: {h.score}
                    </span>
                  </li>
                ))}
              </ol>
            </div>
          )}
        </>
      )}
    </section>
  );
}
