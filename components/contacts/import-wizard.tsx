"use client";

import Link from "next/link";
import { useState } from "react";
import useSWR from "swr";
import { Button } from "@/components/ui/button";
import { ErrorText, SelectField, TextField } from "@/components/ui/field";
import type { ImportResponse } from "@/lib/contacts/import/api";
import type { DryRunSummary, ImportTarget } from "@/lib/schemas/contact-import";
import { fetcher, parse, postForFile, sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";
import { commaList } from "./comma-list";

type Named = { id: string; name: string };
type CustomField = { key: string; label: string; type: string };

const MAX_BYTES = 50 * 1024 * 1024;

/** Target choices as select values: "field:phone", "custom:plan", "new:<header>", "consent", "consent_date", "ignore". */
function toTarget(value: string): ImportTarget {
  if (value.startsWith("field:")) return { kind: "field", field: value.slice(6) as Extract<ImportTarget, { kind: "field" }>["field"] };
  if (value.startsWith("custom:") || value.startsWith("new:")) return { kind: "custom", key: value.slice(value.indexOf(":") + 1) };
  if (value === "consent" || value === "consent_date") return { kind: value };
  return { kind: "ignore" };
}

/** A custom field key from a column name: letters, digits, spaces, _ and -, starting with a letter. */
const keyFrom = (header: string) => header.replace(/[^A-Za-z0-9_ -]/g, "").replace(/^[^A-Za-z]+/, "").slice(0, 40) || "field";

/** A first guess from the column's name, so a tidy spreadsheet needs no clicks. */
function guess(header: string, customFields: CustomField[]): string {
  const h = header.toLowerCase().replace(/[^a-z]/g, "");
  if (/^(phone|mobile|cell|tel|telephone|whatsapp|number|phonenumber|mobilenumber|handy)$/.test(h)) return "field:phone";
  if (/^(name|fullname|contactname|customer|nombre|nom)$/.test(h)) return "field:name";
  if (/^(email|emailaddress|mail|email1)$/.test(h)) return "field:email";
  if (/^(company|organisation|organization|business|firma|empresa)$/.test(h)) return "field:company";
  if (/^(tags|tag|labels|segment)$/.test(h)) return "field:tags";
  if (/^(consent|optin|marketingconsent|subscribed|marketing)$/.test(h)) return "consent";
  if (/^(consentdate|optindate|subscribedat)$/.test(h)) return "consent_date";
  const def = customFields.find((f) => f.key.toLowerCase() === header.toLowerCase() || f.label.toLowerCase() === header.toLowerCase());
  return def ? `custom:${def.key}` : "ignore";
}

/** Upload with a progress bar (fetch cannot report upload progress). */
function upload(file: File, onProgress: (pct: number) => void): Promise<ImportResponse> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/contact-imports?filename=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader("content-type", "text/csv");
    xhr.setRequestHeader("accept", "application/json");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    // The answer read like every other (our error shape becomes its message).
    xhr.onload = () => parse<{ import: ImportResponse }>(new Response(xhr.responseText, { status: xhr.status })).then((b) => resolve(b.import), reject);
    xhr.onerror = () => reject(new Error("The upload was interrupted. Check the connection and try again."));
    xhr.send(file);
  });
}

const statusText: Record<ImportResponse["status"], string> = { uploaded: "not started", running: "importing", done: "done", failed: "stopped" };

/** The last imports: what each did, and one that stopped can be opened to go on. */
function RecentImports({ imports, onOpen }: { imports: ImportResponse[]; onOpen: (id: string) => void }) {
  if (imports.length === 0) return null;
  return (
    <section aria-label="Recent imports" className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
      <h2 className="mb-2 font-semibold">Recent imports</h2>
      <ul className="divide-y divide-slate-100">
        {imports.map((i) => (
          <li key={i.id} className="flex flex-wrap items-center justify-between gap-2 py-1.5" data-testid="recent-import">
            <span>
              {i.filename} · {new Date(i.createdAt).toLocaleString()} · {statusText[i.status]}
              {i.status !== "uploaded" && ` · ${i.progress.created.toLocaleString()} new, ${i.progress.updated.toLocaleString()} updated, ${i.progress.invalid.toLocaleString()} with problems`}
            </span>
            {(i.status === "running" || i.status === "failed") && (
              <Button variant="ghost" onClick={() => onOpen(i.id)}>
                {i.status === "failed" ? "Open to go on" : "Show progress"}
              </Button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** `total`: the dry run's row count, so the bar can show how far it is. */
function Progress({ importId, total }: { importId: string; total: number | null }) {
  const resume = useAction();
  const { data, mutate } = useSWR<{ import: ImportResponse }>(`/api/contact-imports/${importId}`, fetcher, {
    refreshInterval: (d) => (d && ["done", "failed"].includes(d.import.status) ? 0 : 1000),
  });
  const imp = data?.import;
  if (!imp) return <p className="text-sm text-slate-600">Starting…</p>;
  const { rowsDone, created, updated, skipped, invalid } = imp.progress;
  const pct = imp.status === "done" ? 100 : total ? Math.min(99, Math.round((rowsDone / total) * 100)) : null;
  return (
    <section aria-label="Import progress" className="space-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm" data-testid="import-progress">
      <div className="flex justify-between">
        <span>{imp.filename}</span>
        <span>{rowsDone.toLocaleString()} rows</span>
      </div>
      <div role="progressbar" aria-label="Import progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct ?? undefined} aria-valuetext={`${rowsDone} rows`} className="h-2 overflow-hidden rounded bg-slate-200">
        <div className={`h-full transition-all ${imp.status === "done" ? "bg-emerald-600" : "bg-brand-600"} ${pct === null ? "w-1/3 animate-pulse" : ""}`} style={pct === null ? undefined : { width: `${pct}%` }} />
      </div>
      {imp.status === "done" && (
        <p role="status" className="text-emerald-700">
          Imported: {created.toLocaleString()} new, {updated.toLocaleString()} updated, {skipped.toLocaleString()} skipped, {invalid.toLocaleString()} with problems.{" "}
          <Link href="/contacts" className="underline">
            See the contacts
          </Link>
        </p>
      )}
      {imp.status === "failed" && (
        <div className="space-y-2">
          <ErrorText>The import stopped: {imp.error}</ErrorText>
          <Button
            variant="secondary"
            disabled={resume.busy}
            onClick={async () => {
              if (await resume.run(() => sendJson(`/api/contact-imports/${importId}/resume`, "POST"))) await mutate();
            }}
          >
            Go on from row {rowsDone.toLocaleString()}
          </Button>
          <ErrorText>{resume.error}</ErrorText>
        </div>
      )}
    </section>
  );
}

/**
 * CSV import in four steps: upload (with progress), map columns (guessed from their names), a dry
 * run that reports every row's problem (downloadable), then the import as a job with progress.
 */
export function ImportWizard({ lists, customFields, recent }: { lists: Named[]; customFields: CustomField[]; recent: ImportResponse[] }) {
  const [pct, setPct] = useState<number | null>(null);
  const [imp, setImp] = useState<ImportResponse | null>(null);
  const [preview, setPreview] = useState<Record<string, string>[]>([]);
  const [targets, setTargets] = useState<Record<string, string>>({});
  const [country, setCountry] = useState("");
  const [onExisting, setOnExisting] = useState<"update" | "skip">("update");
  const [tags, setTags] = useState("");
  const [listId, setListId] = useState("");
  const [consentSource, setConsentSource] = useState("");
  const [summary, setSummary] = useState<DryRunSummary | null>(null);
  const [running, setRunning] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();

  async function choose(file: File | undefined) {
    if (!file) return;
    setError(null);
    if (file.size > MAX_BYTES) return setError(`The file is ${(file.size / 1024 / 1024).toFixed(1)} MB; at most 50 MB can be imported at once. Split it into smaller files.`);
    setPct(0);
    await run(async () => {
      const created = await upload(file, setPct);
      const { preview } = await fetcher<{ preview: Record<string, string>[] }>(`/api/contact-imports/${created.id}`);
      setImp(created);
      setPreview(preview);
      setTargets(Object.fromEntries(created.headers.map((h) => [h, guess(h, customFields)])));
    });
    setPct(null);
  }

  const config = () => ({
    mapping: Object.entries(targets)
      .filter(([, t]) => t !== "ignore")
      .map(([column, t]) => ({ column, target: toTarget(t) })),
    options: {
      defaultCountry: country.trim() || null,
      onExisting,
      tags: commaList(tags),
      listId: listId || null,
      consentSource: consentSource.trim() || null,
    },
  });

  async function check() {
    if (!imp) return;
    const res = await run(() => sendJson<{ summary: DryRunSummary }>(`/api/contact-imports/${imp.id}/dry-run`, "POST", config()));
    if (res) setSummary(res.summary);
  }

  async function downloadReport() {
    if (!imp) return;
    const blob = await run(() => postForFile(`/api/contact-imports/${imp.id}/report`, config()));
    if (!blob) return;
    const url = URL.createObjectURL(blob);
    const a = Object.assign(document.createElement("a"), { href: url, download: `import-report-${imp.filename}` });
    a.click();
    URL.revokeObjectURL(url);
  }

  async function start() {
    if (!imp) return;
    if (await run(() => sendJson(`/api/contact-imports/${imp.id}/start`, "POST", config()))) setRunning(imp.id);
  }

  const consentMapped = Object.values(targets).includes("consent");
  return (
    <div className="max-w-5xl space-y-4">
      <div>
        <Link href="/contacts" className="text-sm text-brand-700 hover:underline">
          ← Contacts
        </Link>
        <h1 className="text-xl font-semibold">Import contacts</h1>
        <p className="text-sm text-slate-600">A CSV file of up to 50 MB (200,000 rows): UTF-8 or Latin-1, separated by commas, semicolons or tabs, with column names in the first line.</p>
      </div>
      <ErrorText>{error}</ErrorText>
      {!imp && !running && <RecentImports imports={recent} onOpen={setRunning} />}
      {running ? (
        <Progress importId={running} total={summary?.rows ?? null} />
      ) : !imp ? (
        <label className="block rounded-lg border-2 border-dashed border-slate-300 bg-white p-8 text-center text-sm">
          <span className="font-medium text-brand-700">Choose a CSV file</span>
          <input type="file" accept=".csv,text/csv,text/plain" className="sr-only" onChange={(e) => choose(e.target.files?.[0])} aria-label="CSV file" />
          {pct !== null && (
            <span className="mt-3 block" role="status">
              Uploading… {pct}%
            </span>
          )}
        </label>
      ) : (
        <>
          <section aria-label="Column mapping" className="space-y-2 rounded-lg border border-slate-200 bg-white p-4">
            <h2 className="font-semibold">Columns of {imp.filename}</h2>
            <div className="relative overflow-x-auto">
              <table className="min-w-full text-sm">
                <thead className="text-left text-xs uppercase text-slate-500">
                  <tr>
                    <th className="py-1 pr-3">Column</th>
                    <th className="py-1 pr-3">Becomes</th>
                    <th className="py-1">First values</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {imp.headers.map((h) => (
                    <tr key={h}>
                      <td className="py-1.5 pr-3 font-medium">{h}</td>
                      <td className="py-1.5 pr-3">
                        <select aria-label={`Column ${h} becomes`} className="rounded border border-slate-300 px-1.5 py-1" value={targets[h] ?? "ignore"} onChange={(e) => setTargets({ ...targets, [h]: e.target.value })}>
                          <option value="ignore">Don&apos;t import</option>
                          <option value="field:phone">Phone</option>
                          <option value="field:bsuid">WhatsApp user id</option>
                          <option value="field:name">Name</option>
                          <option value="field:email">Email</option>
                          <option value="field:company">Company</option>
                          <option value="field:tags">Tags</option>
                          <option value="consent">Marketing consent (yes/no)</option>
                          <option value="consent_date">Consent date</option>
                          {customFields.map((f) => (
                            <option key={f.key} value={`custom:${f.key}`}>
                              Custom: {f.label} ({f.type.replace("_", " ")})
                            </option>
                          ))}
                          {!customFields.some((f) => f.key === keyFrom(h)) && <option value={`new:${keyFrom(h)}`}>New custom field “{keyFrom(h)}”</option>}
                        </select>
                      </td>
                      <td className="max-w-xs truncate py-1.5 text-slate-600">{preview.map((r) => r[h]).filter(Boolean).slice(0, 3).join(" · ") || "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <section aria-label="Import options" className="grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2">
            <TextField label="Country for numbers without +code" value={country} onChange={(e) => setCountry(e.target.value)} placeholder="US" maxLength={2} />
            <SelectField label="Contacts you already have" value={onExisting} onChange={(e) => setOnExisting(e.target.value as "update" | "skip")}>
              <option value="update">Update them with the file&apos;s values</option>
              <option value="skip">Leave them as they are</option>
            </SelectField>
            <TextField label="Tag every imported contact" value={tags} onChange={(e) => setTags(e.target.value)} placeholder="trade-fair-2026" />
            <SelectField label="Put them on a list" value={listId} onChange={(e) => setListId(e.target.value)}>
              <option value="">No list</option>
              {lists.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </SelectField>
            {consentMapped && (
              <TextField label="Where the consent comes from" required value={consentSource} onChange={(e) => setConsentSource(e.target.value)} placeholder="signup form on the website, 2025" />
            )}
          </section>
          <div className="flex flex-wrap gap-2">
            <Button variant="secondary" onClick={check} disabled={busy}>
              {busy && !summary ? "Checking…" : "Check the file"}
            </Button>
            <Button onClick={start} disabled={busy || !summary}>
              Import
            </Button>
            <Button variant="ghost" onClick={() => (setImp(null), setSummary(null))}>
              Choose another file
            </Button>
          </div>
          {summary && (
            <section aria-label="Dry run" className="space-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm" data-testid="dry-run">
              <p role="status">
                {summary.rows.toLocaleString()} rows: {summary.wouldCreate.toLocaleString()} new, {summary.wouldUpdate.toLocaleString()} to update, {summary.wouldSkip.toLocaleString()} to skip,{" "}
                {summary.duplicatesInFile.toLocaleString()} repeated in the file, {summary.invalid.toLocaleString()} with problems.
              </p>
              {summary.issues.length > 0 && (
                <>
                  <table className="min-w-full text-left">
                    <thead className="text-xs uppercase text-slate-500">
                      <tr>
                        <th className="pr-3">Row</th>
                        <th className="pr-3">Column</th>
                        <th>Problem</th>
                      </tr>
                    </thead>
                    <tbody>
                      {summary.issues.slice(0, 50).map((i, n) => (
                        <tr key={n} data-testid="dry-run-issue">
                          <td className="pr-3">{i.line}</td>
                          <td className="pr-3">{i.column ?? "—"}</td>
                          <td>{i.message}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  <Button variant="secondary" onClick={downloadReport}>
                    Download the full report (CSV)
                  </Button>
                </>
              )}
              <p className="text-slate-500">Rows with problems are left out; everything else is imported.</p>
            </section>
          )}
        </>
      )}
    </div>
  );
}
