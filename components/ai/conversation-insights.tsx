"use client";

import { useState } from "react";
import useSWR from "swr";
import { Button } from "@/components/ui/button";
import { ErrorText } from "@/components/ui/field";
import type { ConversationAnalyticsResponse } from "@/lib/schemas/ai";
import { fetcher, sendJson } from "@/lib/swr/fetcher";
import { OfflineAiBadge } from "./offline-badge";

type Data = { analysis: ConversationAnalyticsResponse | null; provider: "gemini" | "offline" };

function sentimentLabel(s: number) {
  if (s <= -0.6) return { text: "Very negative", cls: "bg-red-100 text-red-800" };
  if (s < -0.2) return { text: "Negative", cls: "bg-orange-100 text-orange-800" };
  if (s <= 0.2) return { text: "Neutral", cls: "bg-slate-100 text-slate-700" };
  return { text: "Positive", cls: "bg-green-100 text-green-800" };
}

/**
 * The AI analysis of a conversation (sentiment, intents, topics, summary, satisfaction) for the
 * inbox's contact panel, with "Analyse now" for roles that may run one (it calls the model and writes).
 */
export function ConversationInsights({ conversationId, canAnalyse }: { conversationId: string; canAnalyse: boolean }) {
  const key = `/api/conversations/${conversationId}/analyze`;
  const { data, error, mutate } = useSWR<Data>(key, fetcher);
  const [busy, setBusy] = useState(false);
  const [runError, setRunError] = useState<string | null>(null);
  const a = data?.analysis;

  async function analyse() {
    setBusy(true);
    setRunError(null);
    try {
      await mutate(await sendJson<Data>(key, "POST"), { revalidate: false });
    } catch (err) {
      setRunError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-label="AI insights" data-testid="conversation-insights" className="space-y-2 text-sm">
      <div className="flex items-center justify-between gap-2">
        <h3 className="flex items-center gap-2 font-semibold">AI insights {data && <OfflineAiBadge provider={data.provider} />}</h3>
        {canAnalyse && <Button variant="secondary" onClick={analyse} disabled={busy}>{busy ? "Analysing…" : a ? "Refresh" : "Analyse now"}</Button>}
      </div>
      <ErrorText>{runError ?? error?.message}</ErrorText>
      {!a && data && <p className="text-slate-500">Not analysed yet. Conversations are analysed when resolved.</p>}
      {a && (
        <dl className="space-y-1.5">
          <div className="flex items-center gap-2">
            <dt className="text-slate-500">Sentiment</dt>
            <dd className={`rounded-full px-2 py-0.5 text-xs ${sentimentLabel(a.sentiment).cls}`}>{sentimentLabel(a.sentiment).text} ({a.sentiment.toFixed(2)})</dd>
          </div>
          {a.satisfaction !== null && (
            <div className="flex items-center gap-2">
              <dt className="text-slate-500">Satisfaction</dt>
              <dd aria-label={`${a.satisfaction} out of 5`}>{"★".repeat(a.satisfaction)}{"☆".repeat(5 - a.satisfaction)}</dd>
            </div>
          )}
          {a.intents.length > 0 && (
            <div>
              <dt className="text-slate-500">Intents</dt>
              <dd className="flex flex-wrap gap-1">{a.intents.map((i) => <span key={i} className="rounded bg-brand-50 px-1.5 py-0.5 text-xs">{i}</span>)}</dd>
            </div>
          )}
          {a.topics.length > 0 && (
            <div>
              <dt className="text-slate-500">Topics</dt>
              <dd className="flex flex-wrap gap-1">{a.topics.map((t) => <span key={t} className="rounded bg-slate-100 px-1.5 py-0.5 text-xs">{t}</span>)}</dd>
            </div>
          )}
          <div>
            <dt className="text-slate-500">Summary</dt>
            <dd>{a.summary}</dd>
          </div>
          <p className="text-xs text-slate-400">Analysed {a.analyzedAt.replace("T", " ").slice(0, 16)} UTC</p>
        </dl>
      )}
    </section>
  );
}
