"use client";

import Link from "next/link";
import { useState } from "react";
import useSWRInfinite from "swr/infinite";
import { Button } from "@/components/ui/button";
import { ErrorText, SelectField } from "@/components/ui/field";
import { aiAgentTypes, type AiRunResponse } from "@/lib/schemas/ai";
import { fetcher } from "@/lib/swr/fetcher";
import { OfflineAiBadge } from "./offline-badge";

type Page = { runs: AiRunResponse[]; articleTitles: Record<string, string>; nextCursor: string | null };
const outcomes = ["replied", "asked", "acted", "handover", "analysed", "suggested", "error", "skipped"] as const;

const outcomeStyle: Record<string, string> = {
  error: "bg-red-50 text-red-700",
  handover: "bg-amber-50 text-amber-800",
  replied: "bg-green-50 text-green-700",
};

export function RunLog({ provider }: { provider: "gemini" | "offline" }) {
  const [agentType, setAgentType] = useState("");
  const [outcome, setOutcome] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  const filters = `${agentType ? `&agentType=${agentType}` : ""}${outcome ? `&outcome=${outcome}` : ""}`;
  const { data, error, size, setSize, isValidating } = useSWRInfinite<Page>(
    (i, prev: Page | null) => (i > 0 && !prev?.nextCursor ? null : `/api/ai-runs?limit=50${filters}${prev?.nextCursor ? `&cursor=${prev.nextCursor}` : ""}`),
    fetcher,
  );
  const runs = data?.flatMap((p) => p.runs) ?? [];
  const titles = Object.assign({}, ...(data ?? []).map((p) => p.articleTitles)) as Record<string, string>;
  const hasMore = !!data?.at(-1)?.nextCursor;

  return (
    <section className="space-y-4">
      <div>
        <h1 className="flex items-center gap-2 text-xl font-semibold">AI run log <OfflineAiBadge provider={provider} /></h1>
        <p className="text-slate-500">Every model call and every guardrail decision, newest first.</p>
      </div>
      <div className="flex flex-wrap gap-3">
        <div className="w-44">
          <SelectField label="Agent" value={agentType} onChange={(e) => setAgentType(e.target.value)}>
            <option value="">All agents</option>
            {aiAgentTypes.map((t) => <option key={t} value={t}>{t}</option>)}
          </SelectField>
        </div>
        <div className="w-44">
          <SelectField label="Outcome" value={outcome} onChange={(e) => setOutcome(e.target.value)}>
            <option value="">All outcomes</option>
            {outcomes.map((o) => <option key={o} value={o}>{o}</option>)}
          </SelectField>
        </div>
      </div>
      <ErrorText>{error?.message}</ErrorText>
      <div className="relative overflow-x-auto rounded-lg bg-white ring-1 ring-slate-200">
        <table className="w-full text-left text-sm">
          <thead className="border-b border-slate-200 text-xs uppercase text-slate-500">
            <tr>
              {["Time", "Agent", "Model", "Outcome", "Tokens (in+out)", "Latency", "Cost", "Conversation", ""].map((h) => (
                <th key={h} className="px-3 py-2 font-medium">{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <RunRow key={r.id} run={r} titles={titles} open={open === r.id} onToggle={() => setOpen(open === r.id ? null : r.id)} />
            ))}
          </tbody>
        </table>
        {runs.length === 0 && !isValidating && <p className="p-6 text-center text-slate-500">No AI runs yet.</p>}
      </div>
      {hasMore && (
        <Button variant="secondary" onClick={() => setSize(size + 1)} disabled={isValidating}>
          {isValidating ? "Loading…" : "Load more"}
        </Button>
      )}
    </section>
  );
}

function RunRow({ run: r, titles, open, onToggle }: { run: AiRunResponse; titles: Record<string, string>; open: boolean; onToggle: () => void }) {
  return (
    <>
      <tr data-testid={`run-${r.id}`} className="border-b border-slate-100 align-top">
        <td className="whitespace-nowrap px-3 py-2 text-slate-500">{r.createdAt.replace("T", " ").slice(0, 19)}</td>
        <td className="px-3 py-2 capitalize">{r.agentType}{r.turn > 1 ? ` · call ${r.turn}` : ""}</td>
        <td className="px-3 py-2">{r.provider === "offline" ? "offline AI" : r.turn === 0 ? "guardrail" : r.model}</td>
        <td className="px-3 py-2">
          <span className={`rounded-full px-2 py-0.5 text-xs ${outcomeStyle[r.outcome] ?? "bg-slate-100 text-slate-700"}`}>{r.turn === 0 ? `${r.outcome} (guardrail)` : r.outcome}</span>
        </td>
        <td className="px-3 py-2">{r.promptTokens}+{r.completionTokens}</td>
        <td className="px-3 py-2">{r.latencyMs} ms</td>
        <td className="px-3 py-2">${r.costUsd.toFixed(5)}</td>
        <td className="px-3 py-2">{r.conversationId ? <Link className="text-brand-700 underline" href={`/inbox/${r.conversationId}`}>Open</Link> : "test console"}</td>
        <td className="px-3 py-2"><Button variant="ghost" onClick={onToggle} aria-expanded={open}>{open ? "Hide" : "Details"}</Button></td>
      </tr>
      {open && (
        <tr className="border-b border-slate-100 bg-slate-50">
          <td colSpan={9} className="space-y-1 px-3 py-2 text-xs">
            {r.reason && <p><strong>Reason:</strong> {r.reason}</p>}
            {r.error && <p className="text-red-700"><strong>Error:</strong> {r.error}</p>}
            {r.toolCalls.length > 0 && <p><strong>Tool calls:</strong> {r.toolCalls.map((c) => `${c.name}(${JSON.stringify(c.args)})`).join(", ")}</p>}
            {r.knowledgeArticleIds.length > 0 && <p><strong>Knowledge articles:</strong> {r.knowledgeArticleIds.map((id) => titles[id] ?? "(deleted article)").join(", ")}</p>}
            {r.output && <pre className="whitespace-pre-wrap">{r.output}</pre>}
          </td>
        </tr>
      )}
    </>
  );
}
