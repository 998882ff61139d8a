"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ErrorText, SelectField, TextField } from "@/components/ui/field";
import type { ConsoleResult } from "@/lib/ai/agent-console";
import type { AiAgentResponse } from "@/lib/schemas/ai";
import { sendJson } from "@/lib/swr/fetcher";
import { useAiAgents } from "@/lib/swr/use-ai-agents";
import { OfflineAiBadge } from "./offline-badge";

type Provider = "gemini" | "offline";

export function AgentsManager({ initialAgents, provider, defaultModel }: { initialAgents: AiAgentResponse[]; provider: Provider; defaultModel: string }) {
  const { data, mutate } = useAiAgents(initialAgents);
  const agents = data?.agents ?? [];
  return (
    <section className="space-y-4">
      <div>
        <h1 className="flex items-center gap-2 text-xl font-semibold">
          AI agents <OfflineAiBadge provider={provider} />
        </h1>
        <p className="text-slate-500">
          Model settings, prompts and guardrails of each agent; metrics cover the last 30 days of the run log. Empty model: {defaultModel}.
        </p>
      </div>
      {agents.map((a) => (
        <AgentCard key={a.id} agent={a} provider={provider} defaultModel={defaultModel} onSaved={() => mutate()} />
      ))}
    </section>
  );
}

function pct(v: number | null) {
  return v === null ? "–" : `${Math.round(v * 1000) / 10}%`;
}

function AgentCard({ agent, provider, defaultModel, onSaved }: { agent: AiAgentResponse; provider: Provider; defaultModel: string; onSaved: () => void }) {
  const [form, setForm] = useState(agent);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const m = agent.metrics;

  async function save(patch: Partial<AiAgentResponse>) {
    setError(null);
    setBusy(true);
    try {
      await sendJson(`/api/ai-agents/${agent.id}`, "PATCH", patch);
      onSaved();
      setEditing(false);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <article data-testid={`agent-${agent.type}`} className="space-y-3 rounded-lg bg-white p-4 ring-1 ring-slate-200">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h2 className="font-semibold">{agent.name}</h2>
          <p className="text-sm text-slate-500">
            <span className="capitalize">{agent.type}</span> agent · {agent.model || defaultModel} · temperature {agent.temperature} · max {agent.maxOutputTokens} tokens
            {agent.type === "conversation" && ` · hands over below ${agent.confidenceThreshold} confidence or after ${agent.maxConsecutiveReplies} replies`}
          </p>
        </div>
        <label className="flex items-center gap-2 text-sm font-medium">
          <input type="checkbox" role="switch" aria-label={`${agent.name} active`} checked={agent.active} disabled={busy} onChange={(e) => save({ active: e.target.checked })} className="h-4 w-4" />
          {agent.active ? "Active" : "Inactive"}
        </label>
      </div>
      <dl className="grid grid-cols-2 gap-2 text-sm sm:grid-cols-6">
        {[
          ["Requests", String(m.requests)],
          ["Success rate", pct(m.successRate)],
          ["Avg latency", m.avgLatencyMs === null ? "–" : `${m.avgLatencyMs} ms`],
          ["Prompt tokens", m.promptTokens.toLocaleString()],
          ["Output tokens", m.completionTokens.toLocaleString()],
          ["Cost", `$${m.costUsd.toFixed(4)}`],
        ].map(([k, v]) => (
          <div key={k} className="rounded-md bg-slate-50 px-2 py-1">
            <dt className="text-xs text-slate-500">{k}</dt>
            <dd className="font-medium">{v}</dd>
          </div>
        ))}
      </dl>
      {!editing && <ErrorText>{error}</ErrorText>}
      <div className="flex gap-2">
        <Button variant="secondary" onClick={() => { setForm(agent); setEditing(!editing); }}>{editing ? "Close" : "Edit"}</Button>
      </div>
      {editing && (
        <form
          className="grid gap-3 sm:grid-cols-2"
          onSubmit={(e) => {
            e.preventDefault();
            void save({
              model: form.model,
              temperature: Number(form.temperature),
              maxOutputTokens: Number(form.maxOutputTokens),
              confidenceThreshold: Number(form.confidenceThreshold),
              maxConsecutiveReplies: Number(form.maxConsecutiveReplies),
              systemPrompt: form.systemPrompt,
            });
          }}
        >
          <TextField label={`Model (empty: ${defaultModel})`} value={form.model} onChange={(e) => setForm({ ...form, model: e.target.value })} />
          <TextField label="Temperature" type="number" step="0.1" min={0} max={2} value={form.temperature} onChange={(e) => setForm({ ...form, temperature: Number(e.target.value) })} />
          <TextField label="Max output tokens" type="number" min={16} max={65536} value={form.maxOutputTokens} onChange={(e) => setForm({ ...form, maxOutputTokens: Number(e.target.value) })} />
          {agent.type === "conversation" && (
            <>
              <TextField label="Confidence threshold" type="number" step="0.05" min={0} max={1} value={form.confidenceThreshold} onChange={(e) => setForm({ ...form, confidenceThreshold: Number(e.target.value) })} />
              <TextField label="Max consecutive AI replies" type="number" min={1} max={50} value={form.maxConsecutiveReplies} onChange={(e) => setForm({ ...form, maxConsecutiveReplies: Number(e.target.value) })} />
            </>
          )}
          <label className="block text-sm font-medium text-slate-700 sm:col-span-2">
            System prompt
            <textarea className="mt-1 block h-40 w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm" value={form.systemPrompt} onChange={(e) => setForm({ ...form, systemPrompt: e.target.value })} />
          </label>
          <div className="sm:col-span-2">
            <ErrorText>{error}</ErrorText>
          </div>
          <div className="flex justify-end gap-2 sm:col-span-2">
            <Button type="submit" disabled={busy}>Save</Button>
          </div>
        </form>
      )}
      <TestConsole agent={agent} provider={provider} />
    </article>
  );
}

type Line = { from: "customer" | "agent" | "ai"; text: string };

function TestConsole({ agent, provider }: { agent: AiAgentResponse; provider: Provider }) {
  const [open, setOpen] = useState(false);
  const [lines, setLines] = useState<Line[]>([{ from: "customer", text: "" }]);
  const [result, setResult] = useState<ConsoleResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run() {
    setError(null);
    setBusy(true);
    try {
      const res = await sendJson<{ result: ConsoleResult }>(`/api/ai-agents/${agent.id}/test`, "POST", { messages: lines.filter((l) => l.text.trim()) });
      setResult(res.result);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (!open) return <Button variant="ghost" onClick={() => setOpen(true)}>Open test console</Button>;
  return (
    <div className="space-y-3 rounded-md border border-slate-200 p-3" aria-label={`Test console for ${agent.name}`}>
      <div className="flex items-center justify-between">
        <h3 className="flex items-center gap-2 text-sm font-semibold">Test console <OfflineAiBadge provider={provider} /></h3>
        <span className="text-xs text-slate-500">Runs the saved settings; nothing is sent to anyone.</span>
      </div>
      {lines.map((l, i) => (
        <div key={i} className="flex gap-2">
          <div className="w-32">
            <SelectField label="From" value={l.from} onChange={(e) => setLines(lines.map((x, j) => (j === i ? { ...x, from: e.target.value as Line["from"] } : x)))}>
              <option value="customer">Customer</option>
              <option value="ai">AI</option>
              <option value="agent">Agent</option>
            </SelectField>
          </div>
          <div className="flex-1">
            <TextField label={`Message ${i + 1}`} value={l.text} onChange={(e) => setLines(lines.map((x, j) => (j === i ? { ...x, text: e.target.value } : x)))} />
          </div>
        </div>
      ))}
      <div className="flex gap-2">
        <Button variant="secondary" onClick={() => setLines([...lines, { from: "customer", text: "" }])}>Add message</Button>
        <Button onClick={run} disabled={busy || !lines.some((l) => l.text.trim())}>{busy ? "Running…" : "Run agent"}</Button>
      </div>
      <ErrorText>{error}</ErrorText>
      {result && (
        <div data-testid="console-result" className="space-y-2 text-sm">
          <p className="text-slate-500">
            {result.provider === "offline" ? "offline AI" : result.model} · {result.usage.promptTokens}+{result.usage.completionTokens} tokens · {result.usage.latencyMs} ms · ${result.usage.costUsd.toFixed(5)}
          </p>
          {result.decision && (
            <p className="rounded-md bg-slate-50 p-2">
              <strong>{result.decision.kind === "handover" ? "Hand over" : result.decision.kind === "ask" ? "Ask" : "Reply"}: </strong>
              {result.decision.kind === "handover" ? result.decision.reason : `${result.decision.text} (confidence ${result.decision.confidence.toFixed(2)})`}
            </p>
          )}
          {result.guardrail && <p className="text-amber-700">Guardrail before the model: {result.guardrail} (the live agent hands over without calling the model).</p>}
          {result.error && <p className="text-red-700">Model error: {result.error}</p>}
          {result.toolCalls.length > 0 && (
            <div>
              <h4 className="font-medium">Tool calls</h4>
              <ol className="list-decimal pl-5">
                {result.toolCalls.map((c, i) => (
                  <li key={i}><code>{c.name}</code> <code className="text-xs text-slate-600">{JSON.stringify(c.args)}</code></li>
                ))}
              </ol>
            </div>
          )}
          {result.knowledge.length > 0 && <p>Knowledge used: {result.knowledge.map((k) => k.title).join(", ")}</p>}
          {result.output !== null && <pre className="overflow-x-auto whitespace-pre-wrap rounded-md bg-slate-50 p-2 text-xs">{typeof result.output === "string" ? result.output : JSON.stringify(result.output, null, 2)}</pre>}
        </div>
      )}
    </div>
  );
}
