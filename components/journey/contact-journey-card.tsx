"use client";

import Link from "next/link";
import { useState } from "react";
import type { ContactJourneyView } from "@/lib/journey/journey";
import { journeyStages, type JourneyMoveResponse, type JourneyStage } from "@/lib/schemas/journey";
import { fetcher, sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });

/** A contact's place in the journey: set the stage, see the recent moves, undo the last one. */
export function ContactJourneyCard({ contactId, initial, canMove }: { contactId: string; initial: ContactJourneyView; canMove: boolean }) {
  const [journey, setJourney] = useState(initial);
  const { busy, error, run } = useAction();
  const reload = async () => setJourney((await fetcher<{ journey: ContactJourneyView }>(`/api/contacts/${contactId}/journey`)).journey);
  const latest = journey.moves[0];
  const labels = journey.labels;
  const stageName = (s: JourneyStage | null) => (s ? labels[s] : "off the board");
  const { insights } = journey;

  const moveTo = (stage: JourneyStage) =>
    run(async () => {
      await sendJson<{ move: JourneyMoveResponse }>(`/api/contacts/${contactId}/journey`, "PUT", { stage, expectedStage: journey.stage });
      await reload();
    });
  const undo = (moveId: string) =>
    run(async () => {
      await sendJson(`/api/contacts/${contactId}/journey/undo`, "POST", { moveId });
      await reload();
    });

  return (
    <section aria-labelledby="journey-h" className="rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="journey-h" className="text-base font-semibold">
          Journey: {journey.stage ? labels[journey.stage] : "not on the board"}
        </h2>
        <Link href="/journey" className="text-sm text-brand-700 hover:underline">
          Open the board
        </Link>
      </div>
      {canMove && (
        <label className="mt-2 block text-sm font-medium text-slate-700">
          Stage
          <select
            className="mt-1 block w-full max-w-xs rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
            value={journey.stage ?? ""}
            disabled={busy}
            onChange={(e) => e.target.value && void moveTo(e.target.value as JourneyStage)}
          >
            {!journey.stage && <option value="">Not on the board</option>}
            {journeyStages.map((s) => (
              <option key={s} value={s}>
                {labels[s]}
              </option>
            ))}
          </select>
        </label>
      )}
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      )}
      <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-3" aria-label="Journey insights">
        <div>
          <dt className="text-xs text-slate-500">Engagement</dt>
          <dd className="font-medium capitalize">{insights.engagement}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Churn risk</dt>
          <dd className="font-medium capitalize">{insights.churnRisk ?? "— (not a customer yet)"}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Last message from them</dt>
          <dd className="font-medium">{insights.daysSinceLastMessage === null ? "Never" : insights.daysSinceLastMessage === 0 ? "Today" : `${insights.daysSinceLastMessage} days ago`}</dd>
        </div>
        <div className="col-span-2 sm:col-span-3">
          <dt className="text-xs text-slate-500">Next action</dt>
          <dd className="font-medium" data-testid="journey-next-action">{insights.nextAction}</dd>
        </div>
      </dl>
      {journey.moves.length > 0 && (
        <ol className="mt-3 space-y-1 text-sm" aria-label="Journey moves">
          {journey.moves.map((m) => (
            <li key={m.id} className="flex flex-wrap items-center gap-x-2">
              <span>
                {m.source === "undo" ? "Undone: back to" : "Moved to"} <strong className="font-medium">{stageName(m.to)}</strong> from {stageName(m.from)}
              </span>
              <span className="text-xs text-slate-500">
                {m.by} · {when(m.at)}
                {m.reason ? ` · “${m.reason}”` : ""}
              </span>
              {canMove && m === latest && m.source !== "undo" && (
                <button type="button" disabled={busy} onClick={() => void undo(m.id)} className="text-xs font-medium text-brand-700 underline">
                  Undo
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
      {journey.touchpoints.length > 0 && (
        <details className="mt-3 text-sm">
          <summary className="cursor-pointer font-medium text-slate-700">Touchpoints ({journey.touchpoints.length} most recent)</summary>
          <ol className="mt-2 space-y-1" aria-label="Touchpoints">
            {journey.touchpoints.map((t, i) => (
              <li key={i} className="flex flex-wrap gap-x-2">
                <span className="text-xs text-slate-500">{when(t.at)}</span>
                {t.href ? (
                  <Link href={t.href} className="text-brand-700 hover:underline">
                    {t.text}
                  </Link>
                ) : (
                  <span>{t.text}</span>
                )}
              </li>
            ))}
          </ol>
        </details>
      )}
    </section>
  );
}
