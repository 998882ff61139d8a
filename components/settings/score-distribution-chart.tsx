"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ScoreDistribution } from "@/lib/schemas/lead-score";

/** Contacts per score band; the same numbers are in the table under it for screen readers. */
export function ScoreDistributionChart({ distribution }: { distribution: ScoreDistribution }) {
  const data = distribution.buckets.map((b) => ({ band: `${b.from}–${b.to}`, contacts: b.count }));
  return (
    <div>
      <div className="h-56 w-full" aria-hidden="true">
        <ResponsiveContainer>
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="band" tick={{ fontSize: 11 }} />
            <YAxis allowDecimals={false} tick={{ fontSize: 12 }} width={48} />
            <Tooltip />
            <Bar dataKey="contacts" fill="#0d9488" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <table className="sr-only">
        <caption>Contacts per lead score band</caption>
        <thead>
          <tr>
            <th>Score</th>
            <th>Contacts</th>
          </tr>
        </thead>
        <tbody>
          {data.map((d) => (
            <tr key={d.band}>
              <td>{d.band}</td>
              <td>{d.contacts}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
