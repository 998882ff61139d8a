"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ErrorText, SelectField } from "@/components/ui/field";
import { executionStatuses, type ExecutionResponse } from "@/lib/schemas/job-execution";
import { sendJson } from "@/lib/swr/fetcher";
import { useJobRuns } from "@/lib/swr/use-job-runs";

const statusStyle: Record<ExecutionResponse["status"], string> = {
  dead: "bg-red-100 text-red-800",
  failed: "bg-red-100 text-red-800",
  retrying: "bg-amber-100 text-amber-800",
  running: "bg-sky-100 text-sky-800",
  completed: "bg-emerald-100 text-emerald-800",
};

function duration(ms: number | null) {
  if (ms === null) return "—";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function JobRuns({ initialRuns, initialStatus, jobNames }: { initialRuns: ExecutionResponse[]; initialStatus: string; jobNames: string[] }) {
  const [status, setStatus] = useState(initialStatus);
  // Automation events and webhook fan-outs run by the hundred: one job's runs are easier to find on their own.
  const [job, setJob] = useState("");
  const { data, error: loadError, isLoading, mutate } = useJobRuns(status, job, status === initialStatus && job === "" ? initialRuns : undefined);
  const runs = data?.executions ?? [];
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function retry(run: ExecutionResponse) {
    setError(null);
    setBusy(run.id);
    try {
      await sendJson(`/api/jobs-admin/${run.id}/retry`, "POST");
      await mutate();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">Background jobs</h1>
          <p className="text-slate-500">Recent runs of queued and scheduled jobs. Dead runs spent their retries; failed runs could not succeed as sent.</p>
        </div>
        <div className="flex flex-wrap gap-3">
          <SelectField label="Job" value={job} onChange={(e) => setJob(e.target.value)}>
            <option value="">All jobs</option>
            {jobNames.map((j) => (
              <option key={j} value={j}>
                {j}
              </option>
            ))}
          </SelectField>
          <SelectField label="Status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">All</option>
            {executionStatuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </SelectField>
        </div>
      </div>
      <ErrorText>{error ?? (loadError ? `Could not load job runs: ${(loadError as Error).message}` : null)}</ErrorText>
      {isLoading ? (
        <p role="status" className="rounded-lg bg-white p-6 text-center text-slate-500 ring-1 ring-slate-200">
          Loading job runs…
        </p>
      ) : runs.length === 0 ? (
        <p className="rounded-lg bg-white p-6 text-center text-slate-500 ring-1 ring-slate-200">No job runs{status ? ` with status ${status}` : ""}.</p>
      ) : (
        <div className="relative overflow-x-auto rounded-lg bg-white ring-1 ring-slate-200">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 text-xs uppercase text-slate-500">
              <tr>
                <th className="px-4 py-2 font-medium">Job</th>
                <th className="px-4 py-2 font-medium">Status</th>
                <th className="px-4 py-2 font-medium">Attempts</th>
                <th className="px-4 py-2 font-medium">Duration</th>
                <th className="px-4 py-2 font-medium">Started</th>
                <th className="px-4 py-2 font-medium">Error</th>
                <th className="px-4 py-2 font-medium"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} data-testid={`job-run-${r.id}`} className={`border-b border-slate-100 last:border-0 ${r.status === "dead" || r.status === "failed" ? "bg-red-50/40" : ""}`}>
                  <td className="px-4 py-2">
                    <span className="font-medium">{r.job}</span>
                    <details className="text-xs text-slate-500">
                      <summary className="cursor-pointer">payload</summary>
                      <pre className="max-w-md overflow-x-auto whitespace-pre-wrap">{JSON.stringify(r.payload, null, 2)}</pre>
                      <p>message {r.messageId}</p>
                    </details>
                  </td>
                  <td className="px-4 py-2">
                    <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${statusStyle[r.status]}`}>{r.status}</span>
                  </td>
                  <td className="px-4 py-2">{r.attempts}</td>
                  <td className="px-4 py-2">{duration(r.durationMs)}</td>
                  <td className="px-4 py-2 text-slate-600">
                    <time dateTime={r.startedAt}>{r.startedAt.replace("T", " ").slice(0, 19)} UTC</time>
                  </td>
                  <td className="max-w-xs px-4 py-2 text-red-700">{r.error}</td>
                  <td className="px-4 py-2 text-right">
                    {r.retryable ? (
                      <Button variant="secondary" disabled={busy === r.id} onClick={() => retry(r)}>
                        Retry
                      </Button>
                    ) : r.retriedAs ? (
                      <span className="text-xs text-slate-500">retried</span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
