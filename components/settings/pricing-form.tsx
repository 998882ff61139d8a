"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ErrorText, TextField } from "@/components/ui/field";
import type { PricingTable } from "@/lib/schemas/settings";
import { sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";

const categories = ["marketing", "utility", "authentication"] as const;
type Category = (typeof categories)[number];
/** A row as typed (prices as text, so a half-typed "0." is never lost); `country` "" is the default row. */
type Row = { key: number; country: string } & Record<Category, string>;

const toRow = (key: number, country: string, p: Record<Category, number>): Row => ({ key, country, marketing: String(p.marketing), utility: String(p.utility), authentication: String(p.authentication) });

/** What is wrong with the table as typed, in words; null when it can be saved. */
function problem(currency: string, rows: Row[]): string | null {
  if (!/^[A-Z]{3}$/.test(currency.trim().toUpperCase())) return "The currency is a 3-letter code such as USD or EUR.";
  const seen = new Set<string>();
  for (const [i, r] of rows.entries()) {
    const name = i === 0 ? "Other countries" : r.country.trim().toUpperCase() || `Row ${i + 1}`;
    if (i > 0) {
      const code = r.country.trim().toUpperCase();
      if (!/^[A-Z]{2}$/.test(code)) return `${name}: the country is a 2-letter ISO code such as BR.`;
      if (seen.has(code)) return `${code} is listed twice.`;
      seen.add(code);
    }
    for (const c of categories) {
      const v = Number(r[c]);
      if (r[c].trim() === "" || !Number.isFinite(v) || v < 0 || v > 10) return `${name}: the ${c} price is a number from 0 to 10.`;
    }
  }
  return null;
}

/**
 * Meta's per-message prices the campaign plan and cost use: per country and category, with a row
 * for every country the table does not list. Meta changes its rates on quarter starts; this table
 * is the organization's to keep current.
 */
export function PricingForm({ initial }: { initial: PricingTable }) {
  const [currency, setCurrency] = useState(initial.currency);
  const [rows, setRows] = useState<Row[]>(() => [toRow(0, "", initial.default), ...Object.entries(initial.countries).sort(([a], [b]) => a.localeCompare(b)).map(([c, p], i) => toRow(i + 1, c, p))]);
  const [nextKey, setNextKey] = useState(rows.length);
  const [saved, setSaved] = useState(false);
  const save = useAction();
  const invalid = problem(currency, rows);
  const update = (key: number, patch: Partial<Row>) => {
    setSaved(false);
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  };

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (invalid) return save.setError(invalid);
    const price = (r: Row) => Object.fromEntries(categories.map((c) => [c, Number(r[c])])) as Record<Category, number>;
    const pricing: PricingTable = {
      currency: currency.trim().toUpperCase(),
      default: price(rows[0]!),
      countries: Object.fromEntries(rows.slice(1).map((r) => [r.country.trim().toUpperCase(), price(r)])),
    };
    if (await save.run(() => sendJson("/api/settings", "PUT", { pricing }))) setSaved(true);
  }

  return (
    <form onSubmit={submit} aria-label="Message prices" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <div>
        <h2 className="text-base font-semibold">Message prices</h2>
        <p className="text-sm text-slate-500">
          What Meta charges per delivered template, by the recipient&apos;s country and the template&apos;s category. Campaign plans estimate their cost with it and the funnel counts what was spent. Meta changes its rates on quarter starts.
        </p>
      </div>
      <div className="w-40">
        <TextField label="Currency" value={currency} maxLength={3} onChange={(e) => (setSaved(false), setCurrency(e.target.value))} />
      </div>
      {/* relative: the sr-only header inside is absolutely placed and would otherwise widen the page */}
      <div className="relative overflow-x-auto">
        <table className="w-full min-w-[32rem] text-sm">
          <thead className="text-left text-slate-500">
            <tr>
              <th className="py-1 font-medium">Country</th>
              {categories.map((c) => (
                <th key={c} className="py-1 font-medium capitalize">{c}</th>
              ))}
              <th className="py-1"><span className="sr-only">Remove</span></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => {
              const name = i === 0 ? "Other countries" : r.country.trim().toUpperCase() || `Row ${i + 1}`;
              return (
                <tr key={r.key} className="border-t border-slate-100" data-testid="price-row">
                  <td className="py-1 pr-2">
                    {i === 0 ? (
                      <span className="text-slate-700">Other countries</span>
                    ) : (
                      <input aria-label={`Row ${i + 1} country`} value={r.country} maxLength={2} placeholder="BR" onChange={(e) => update(r.key, { country: e.target.value })} className="w-16 rounded border border-slate-300 px-1.5 py-1 uppercase" />
                    )}
                  </td>
                  {categories.map((c) => (
                    <td key={c} className="py-1 pr-2">
                      <input aria-label={`${name} ${c} price`} inputMode="decimal" value={r[c]} onChange={(e) => update(r.key, { [c]: e.target.value })} className="w-24 rounded border border-slate-300 px-1.5 py-1 tabular-nums" />
                    </td>
                  ))}
                  <td className="py-1 text-right">
                    {i > 0 && (
                      <button type="button" className="text-xs text-red-700 hover:underline" onClick={() => (setSaved(false), setRows((rs) => rs.filter((x) => x.key !== r.key)))}>
                        Remove {name}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <ErrorText>{save.error}</ErrorText>
      <div className="flex flex-wrap items-center gap-2">
        <Button
          type="button"
          variant="secondary"
          onClick={() => {
            setRows((rs) => [...rs, { key: nextKey, country: "", marketing: rows[0]!.marketing, utility: rows[0]!.utility, authentication: rows[0]!.authentication }]);
            setNextKey((k) => k + 1);
            setSaved(false);
          }}
        >
          + Add country
        </Button>
        <Button type="submit" disabled={save.busy}>{save.busy ? "Saving…" : "Save prices"}</Button>
        {saved && <span role="status" className="text-sm text-emerald-700">Prices saved</span>}
      </div>
    </form>
  );
}
