"use client";

import Link from "next/link";
import { useState } from "react";
import useSWR from "swr";
import { Button } from "@/components/ui/button";
import { ErrorText, TextField } from "@/components/ui/field";
import { apiLevels, apiResources, type ApiKeyResponse, type ApiLevel, type ApiResource, type ApiScope } from "@/lib/schemas/api-key";
import { fetcher, sendJson } from "@/lib/swr/fetcher";

type Levels = Record<ApiResource, ApiLevel | "none">;
const noAccess = Object.fromEntries(apiResources.map((r) => [r, "none"])) as Levels;

function state(k: ApiKeyResponse, now = Date.now()): string {
  if (k.revokedAt) return `Revoked ${new Date(k.revokedAt).toLocaleString()}`;
  if (k.expiresAt && new Date(k.expiresAt).getTime() <= now) return "Expired";
  return "Active";
}

/** Admins' page for public-API keys: create one (its secret shown once, with a copy button), see when each was last used, revoke. */
export function ApiKeysManager({ initial }: { initial: ApiKeyResponse[] }) {
  const { data, mutate } = useSWR<{ apiKeys: ApiKeyResponse[] }>("/api/api-keys", fetcher, { fallbackData: { apiKeys: initial } });
  const keys = data?.apiKeys ?? [];
  const [name, setName] = useState("");
  const [levels, setLevels] = useState<Levels>(noAccess);
  const [expiresAt, setExpiresAt] = useState("");
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function create(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    const scopes = apiResources.flatMap((r) => (levels[r] === "none" ? [] : [`${r}:${levels[r]}` as ApiScope]));
    try {
      const res = await sendJson<{ apiKey: ApiKeyResponse; secret: string }>("/api/api-keys", "POST", {
        name,
        scopes,
        expiresAt: expiresAt ? new Date(`${expiresAt}T23:59:59`).toISOString() : null,
      });
      setCreated({ name: res.apiKey.name, secret: res.secret });
      setCopied(false);
      setName("");
      setLevels(noAccess);
      setExpiresAt("");
      await mutate();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  async function copy() {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied(true);
    } catch {
      setError("The browser did not allow copying: select the key and copy it by hand.");
    }
  }

  async function revoke(k: ApiKeyResponse) {
    if (!confirm(`Revoke the API key "${k.name}" (${k.prefix}…)? Systems using it stop working at once.`)) return;
    setError(null);
    try {
      await sendJson(`/api/api-keys/${k.id}`, "DELETE");
      await mutate();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <section className="max-w-4xl space-y-4">
      <div>
        <h1 className="text-xl font-semibold">API keys</h1>
        <p className="text-slate-500">
          Keys let other systems use the <Link href="/settings/api" className="text-brand-700 underline">REST API</Link> with <code>Authorization: Bearer &lt;key&gt;</code>. Each key reaches only the resources its scopes name.
        </p>
      </div>
      <ErrorText>{error}</ErrorText>
      {created && (
        <div className="space-y-2 rounded-lg bg-amber-50 p-4 ring-1 ring-amber-200" role="status" aria-label="New API key">
          <p className="font-medium">Copy the key “{created.name}” now: it is shown only this once.</p>
          <div className="flex items-center gap-2">
            <code className="min-w-0 flex-1 break-all rounded bg-white px-2 py-1 text-sm ring-1 ring-slate-200" data-testid="api-key-secret">
              {created.secret}
            </code>
            <Button variant="secondary" onClick={() => void copy()}>
              {copied ? "Copied" : "Copy"}
            </Button>
            <Button variant="ghost" onClick={() => setCreated(null)}>
              Done
            </Button>
          </div>
        </div>
      )}
      <form onSubmit={create} className="space-y-3 rounded-lg bg-white p-4 ring-1 ring-slate-200" aria-label="Create an API key">
        <div className="grid gap-2 sm:grid-cols-2">
          <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} placeholder="e.g. Website backend" />
          <TextField label="Expires on (optional)" type="date" value={expiresAt} onChange={(e) => setExpiresAt(e.target.value)} />
        </div>
        <fieldset>
          <legend className="text-sm font-medium text-slate-700">Access</legend>
          <div className="mt-1 grid gap-2 sm:grid-cols-2">
            {apiResources.map((r) => (
              <label key={r} className="flex items-center justify-between gap-2 text-sm">
                <span className="capitalize">{r}</span>
                <select
                  aria-label={`${r} access`}
                  value={levels[r]}
                  onChange={(e) => setLevels({ ...levels, [r]: e.target.value as ApiLevel | "none" })}
                  className="rounded-md border border-slate-300 px-2 py-1 text-sm"
                >
                  <option value="none">No access</option>
                  {apiLevels.map((l) => (
                    <option key={l} value={l}>
                      {l === "read" ? "Read" : l === "write" ? "Read and write" : "Admin (also delete)"}
                    </option>
                  ))}
                </select>
              </label>
            ))}
          </div>
        </fieldset>
        <Button type="submit">Create key</Button>
      </form>
      <table className="w-full rounded-lg bg-white text-sm ring-1 ring-slate-200">
        <thead className="text-left text-slate-500">
          <tr>
            <th className="p-2">Name</th>
            <th className="p-2">Key</th>
            <th className="p-2">Scopes</th>
            <th className="p-2">Last used</th>
            <th className="p-2">Status</th>
            <th className="p-2">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {keys.map((k) => (
            <tr key={k.id} data-testid={`api-key-${k.id}`}>
              <td className="p-2 font-medium">{k.name}</td>
              <td className="p-2 font-mono">{k.prefix}…</td>
              <td className="p-2">{k.scopes.join(", ")}</td>
              <td className="p-2">{k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : "Never"}</td>
              <td className="p-2">
                {state(k)}
                {k.expiresAt && !k.revokedAt && <span className="block text-xs text-slate-500">until {new Date(k.expiresAt).toLocaleDateString()}</span>}
              </td>
              <td className="p-2 text-right">
                {!k.revokedAt && (
                  <Button variant="danger" onClick={() => void revoke(k)} aria-label={`Revoke ${k.name}`}>
                    Revoke
                  </Button>
                )}
              </td>
            </tr>
          ))}
          {keys.length === 0 && (
            <tr>
              <td colSpan={6} className="p-4 text-slate-500">
                No API keys yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
