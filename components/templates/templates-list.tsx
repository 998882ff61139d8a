"use client";

import Link from "next/link";
import { useState } from "react";
import { StatusBadge } from "./status-badge";

export type TemplateRow = {
  id: string;
  name: string;
  language: string;
  category: string;
  status: string;
  qualityScore: string | null;
  /** Meta's rejection or pause reason. */
  reason: string | null;
  /** Edits used in Meta's 30-day window (approved templates only). */
  edits: { used: number; limit: number } | null;
  body: string;
};

/** The organization's templates with their Meta state, searchable by name. */
export function TemplatesList({ rows }: { rows: TemplateRow[] }) {
  const [q, setQ] = useState("");
  const needle = q.trim().toLowerCase();
  const shown = needle ? rows.filter((r) => r.name.toLowerCase().includes(needle)) : rows;
  if (rows.length === 0) {
    return (
      <div className="rounded-lg bg-white p-6 text-center text-slate-600 ring-1 ring-slate-200">
        <p className="font-medium">No templates yet.</p>
        <p className="mt-1 text-sm">
          <Link href="/templates/new" className="text-brand-700 hover:underline">
            Build your first template
          </Link>{" "}
          or sync the ones your WhatsApp Business account already has.
        </p>
      </div>
    );
  }
  return (
    <div className="space-y-3">
      <div className="max-w-sm">
        <label className="block text-sm font-medium text-slate-700">
          Search by name
          <input
            type="search"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm shadow-sm focus:border-brand-600"
          />
        </label>
      </div>
      {shown.length === 0 ? (
        <p className="text-sm text-slate-500">No template matches “{q}”.</p>
      ) : (
        <div className="relative overflow-x-auto rounded-lg bg-white ring-1 ring-slate-200">
          <table className="w-full text-sm" data-testid="templates-table">
            <thead className="bg-slate-50 text-left text-slate-500">
              <tr>
                <th className="px-4 py-2 font-medium">Name</th>
                <th className="px-4 py-2 font-medium">Language</th>
                <th className="px-4 py-2 font-medium">Category</th>
                <th className="px-4 py-2 font-medium">Status</th>
                <th className="hidden px-4 py-2 font-medium md:table-cell">Body</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {shown.map((t) => (
                <tr key={t.id} data-testid="template-row">
                  <td className="px-4 py-2 font-mono">
                    <Link href={`/templates/${t.id}`} className="text-brand-700 hover:underline">
                      {t.name}
                    </Link>
                  </td>
                  <td className="px-4 py-2">{t.language}</td>
                  <td className="px-4 py-2">{t.category.toLowerCase()}</td>
                  <td className="space-y-0.5 px-4 py-2">
                    <div className="flex flex-wrap items-center gap-1">
                      <StatusBadge status={t.status} />
                      {t.qualityScore && t.qualityScore !== "UNKNOWN" && <span className="text-xs text-slate-500">quality {t.qualityScore.toLowerCase()}</span>}
                    </div>
                    {t.reason && <p className="text-xs text-red-700">{t.reason}</p>}
                    {t.edits && (
                      <p className="text-xs text-slate-500">
                        {t.edits.used} of {t.edits.limit} edits in 30 days
                      </p>
                    )}
                  </td>
                  <td className="hidden max-w-md px-4 py-2 text-slate-600 md:table-cell">{t.body}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
