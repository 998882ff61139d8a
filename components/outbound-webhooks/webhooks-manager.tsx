"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { ErrorText, TextField } from "@/components/ui/field";
import { outboundEventTypes, type WebhookDelivery, type WebhookEndpoint } from "@/lib/schemas/outbound-webhook";
import { sendJson } from "@/lib/swr/fetcher";
import { useWebhookDeliveries, useWebhookEndpoints } from "@/lib/swr/use-webhook-endpoints";

/** The admin's outbound webhooks: endpoints, their secret, a test ping, the delivery log with replays, re-enabling. */
export function WebhooksManager({ initial }: { initial: WebhookEndpoint[] }) {
  const { data, mutate } = useWebhookEndpoints(initial);
  const endpoints = data?.endpoints ?? [];
  const [selectedId, setSelectedId] = useState<string | null>(initial[0]?.id ?? null);
  const [adding, setAdding] = useState(initial.length === 0);
  const selected = endpoints.find((e) => e.id === selectedId) ?? null;

  return (
    <section className="space-y-4">
      <div className="flex items-start justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold">Webhooks</h1>
          <p className="text-slate-500">
            Endpoints of your own systems that hear what happens in the CRM: signed per Standard Webhooks, retried with backoff, switched off after repeated failures.
          </p>
        </div>
        {!adding && <Button onClick={() => setAdding(true)}>Add endpoint</Button>}
      </div>
      {adding && (
        <EndpointForm
          title="Add endpoint"
          onCancel={endpoints.length ? () => setAdding(false) : undefined}
          onSaved={async (ep) => {
            await mutate();
            setSelectedId(ep.id);
            setAdding(false);
          }}
        />
      )}
      {endpoints.length > 0 && (
        <div className="grid gap-4 md:grid-cols-[16rem_1fr]">
          <ul aria-label="Endpoints" className="space-y-1">
            {endpoints.map((e) => (
              <li key={e.id}>
                <button
                  type="button"
                  onClick={() => setSelectedId(e.id)}
                  aria-current={e.id === selectedId}
                  className={`block w-full truncate rounded-md px-3 py-2 text-left text-sm ring-1 ${e.id === selectedId ? "bg-brand-50 ring-brand-500" : "bg-white ring-slate-200 hover:ring-slate-300"}`}
                >
                  <span className="block truncate font-medium">{e.url}</span>
                  <span className={`text-xs ${e.active ? "text-emerald-700" : "text-red-700"}`}>{e.active ? "Active" : "Disabled"}</span>
                  {e.description && <span className="text-xs text-slate-500"> · {e.description}</span>}
                </button>
              </li>
            ))}
          </ul>
          {selected && <EndpointDetail key={selected.id} endpoint={selected} onChanged={() => mutate()} onDeleted={async () => (await mutate(), setSelectedId(null))} />}
        </div>
      )}
    </section>
  );
}

function EndpointForm({ title, endpoint, onSaved, onCancel }: { title: string; endpoint?: WebhookEndpoint; onSaved: (e: WebhookEndpoint) => void; onCancel?: () => void }) {
  const [url, setUrl] = useState(endpoint?.url ?? "");
  const [description, setDescription] = useState(endpoint?.description ?? "");
  const [events, setEvents] = useState<string[]>(endpoint?.events ?? [...outboundEventTypes]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function save(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = { url, description, events };
      const res = endpoint
        ? await sendJson<{ endpoint: WebhookEndpoint }>(`/api/webhook-endpoints/${endpoint.id}`, "PATCH", body)
        : await sendJson<{ endpoint: WebhookEndpoint }>("/api/webhook-endpoints", "POST", body);
      onSaved(res.endpoint);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={save} aria-label={title} className="space-y-3 rounded-lg bg-white p-4 ring-1 ring-slate-200">
      <h2 className="font-medium">{title}</h2>
      <TextField label="Endpoint URL" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com/webhooks/crm" />
      <TextField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={200} />
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">Events</legend>
        <div className="mt-1 grid gap-1 sm:grid-cols-2">
          {outboundEventTypes.map((t) => (
            <label key={t} className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={events.includes(t)} onChange={(e) => setEvents(e.target.checked ? [...events, t] : events.filter((x) => x !== t))} />
              <code>{t}</code>
            </label>
          ))}
        </div>
      </fieldset>
      <ErrorText>{error}</ErrorText>
      <div className="flex gap-2">
        <Button type="submit" disabled={busy}>{busy ? "Saving…" : "Save endpoint"}</Button>
        {onCancel && <Button type="button" variant="secondary" onClick={onCancel}>Cancel</Button>}
      </div>
    </form>
  );
}

function EndpointDetail({ endpoint, onChanged, onDeleted }: { endpoint: WebhookEndpoint; onChanged: () => void; onDeleted: () => void }) {
  const deliveries = useWebhookDeliveries(endpoint.id);
  const [editing, setEditing] = useState(false);
  const [showSecret, setShowSecret] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function act(fn: () => Promise<unknown>, done: string) {
    setError(null);
    setMessage(null);
    try {
      await fn();
      setMessage(done);
      onChanged();
      await deliveries.mutate();
    } catch (err) {
      setError((err as Error).message);
      // A refusal (409: switched off meanwhile) means the endpoint changed: show its state.
      onChanged();
    }
  }

  if (editing) {
    return <EndpointForm title="Edit endpoint" endpoint={endpoint} onCancel={() => setEditing(false)} onSaved={() => (setEditing(false), onChanged())} />;
  }
  return (
    <div className="min-w-0 space-y-4" data-testid="endpoint-detail">
      {!endpoint.active && (
        <div role="alert" className="flex items-start justify-between gap-3 rounded-lg bg-red-50 p-3 text-sm text-red-800 ring-1 ring-red-200">
          <p>
            <strong>This endpoint is disabled.</strong> {endpoint.disabledReason ?? "It was switched off."}
          </p>
          <Button onClick={() => act(() => sendJson(`/api/webhook-endpoints/${endpoint.id}`, "PATCH", { active: true }), "Endpoint enabled")}>Re-enable</Button>
        </div>
      )}
      <div className="space-y-2 rounded-lg bg-white p-4 text-sm ring-1 ring-slate-200">
        <p className="break-all font-medium">{endpoint.url}</p>
        <p className="text-slate-600">
          Events: {endpoint.events.map((e) => <code key={e} className="mr-1 rounded bg-slate-100 px-1">{e}</code>)}
        </p>
        <p className="text-slate-600">
          Failed attempts in a row: <span data-testid="consecutive-failures">{endpoint.consecutiveFailures}</span>
          {endpoint.lastSuccessAt && <> · last success {endpoint.lastSuccessAt.replace("T", " ").slice(0, 19)} UTC</>}
        </p>
        <div className="flex flex-wrap items-center gap-2">
          <span className="text-slate-600">Signing secret:</span>
          <code data-testid="endpoint-secret" className="break-all rounded bg-slate-100 px-1">{showSecret ? endpoint.secret : "whsec_••••••••"}</code>
          <Button variant="ghost" onClick={() => setShowSecret(!showSecret)}>{showSecret ? "Hide secret" : "Show secret"}</Button>
        </div>
        <div className="flex flex-wrap gap-2 pt-1">
          <Button variant="secondary" disabled={!endpoint.active} onClick={() => act(() => sendJson(`/api/webhook-endpoints/${endpoint.id}/test`, "POST"), "Test ping queued")}>Send test ping</Button>
          <Button variant="secondary" onClick={() => setEditing(true)}>Edit</Button>
          <Button variant="danger" onClick={() => setConfirmDelete(true)}>Delete</Button>
        </div>
        {message && <p role="status" className="text-emerald-700">{message}</p>}
        <ErrorText>{error}</ErrorText>
      </div>
      <Dialog open={confirmDelete} onClose={() => setConfirmDelete(false)} title="Delete this endpoint?">
        <p className="text-sm text-slate-600">Nothing more is sent to {endpoint.url}, and its delivery log is deleted.</p>
        <div className="mt-4 flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setConfirmDelete(false)}>Cancel</Button>
          <Button
            variant="danger"
            onClick={async () => {
              setConfirmDelete(false);
              try {
                await sendJson(`/api/webhook-endpoints/${endpoint.id}`, "DELETE");
                onDeleted();
              } catch (err) {
                setError((err as Error).message);
              }
            }}
          >
            Delete endpoint
          </Button>
        </div>
      </Dialog>
      <section aria-label="Delivery log" className="space-y-2">
        <h2 className="font-medium">Delivery log</h2>
        {deliveries.data?.deliveries.length === 0 && <p className="rounded-lg bg-white p-4 text-center text-sm text-slate-500 ring-1 ring-slate-200">Nothing delivered yet. Send a test ping.</p>}
        <ol className="divide-y divide-slate-100 rounded-lg bg-white ring-1 ring-slate-200">
          {deliveries.data?.deliveries.map((d) => (
            <DeliveryRow key={d.id} delivery={d} onReplay={() => act(() => sendJson(`/api/webhook-endpoints/${endpoint.id}/deliveries/${d.id}/replay`, "POST"), "Replay queued")} />
          ))}
        </ol>
      </section>
    </div>
  );
}

const statusStyle: Record<WebhookDelivery["status"], string> = {
  pending: "bg-amber-100 text-amber-800",
  succeeded: "bg-emerald-100 text-emerald-800",
  failed: "bg-red-100 text-red-800",
};

function DeliveryRow({ delivery: d, onReplay }: { delivery: WebhookDelivery; onReplay: () => void }) {
  return (
    <li data-testid="delivery-row" className="space-y-1 px-4 py-3 text-sm">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="flex flex-wrap items-center gap-2">
          <code>{d.eventType}</code>
          <span data-testid="delivery-status" className={`rounded px-1.5 py-0.5 text-xs font-medium ${statusStyle[d.status]}`}>{d.status}</span>
          {d.replayOf && <span className="text-xs text-slate-500">replay</span>}
          <time className="text-xs text-slate-500" dateTime={d.createdAt}>{d.createdAt.replace("T", " ").slice(0, 19)} UTC</time>
        </div>
        <Button variant="secondary" onClick={onReplay}>Replay</Button>
      </div>
      <ul className="space-y-0.5 text-xs text-slate-600">
        {d.attempts.map((a) => (
          <li key={a.attempt}>
            Attempt {a.attempt}: {a.responseStatus ?? "no response"} in {a.durationMs} ms{a.error ? ` · ${a.error}` : ""}
            {a.responseBody ? <> · <span className="text-slate-500">{a.responseBody.slice(0, 200)}</span></> : null}
          </li>
        ))}
        {d.nextAttemptAt && d.status === "pending" && d.attempts.length > 0 && <li>Next attempt {d.nextAttemptAt.replace("T", " ").slice(0, 19)} UTC</li>}
      </ul>
      <details>
        <summary className="cursor-pointer text-xs text-slate-500">Request body · webhook-id {d.eventId}</summary>
        <pre className="mt-1 max-h-60 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 text-xs">{d.body}</pre>
      </details>
    </li>
  );
}
