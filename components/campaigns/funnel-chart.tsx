"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { FunnelCounters } from "@/lib/schemas/campaign";

const STEPS = [
  ["sent", "Sent"],
  ["delivered", "Delivered"],
  ["read", "Read"],
  ["replied", "Replied"],
  ["clicked", "Clicked"],
  ["converted", "Converted"],
] as const;
const COLORS: Record<string, string> = { A: "#0d9488", B: "#6366f1", control: "#94a3b8" };

/**
 * The funnel per variant as grouped bars (recharts: a maintained, accessible-by-table chart
 * library; the numbers are also in the table next to it for screen readers).
 */
export function FunnelChart({ byVariant }: { byVariant: Record<string, FunnelCounters> }) {
  const keys = Object.keys(byVariant).filter((k) => k !== "holdback" && (k !== "control" || (byVariant[k]?.targeted ?? 0) > 0));
  const name = (v: string) => (v === "control" ? "Control" : `Variant ${v}`);
  const data: Record<string, string | number>[] = STEPS.map(([k, label]) => ({ step: label, ...Object.fromEntries(keys.map((v) => [name(v), byVariant[v]?.[k] ?? 0])) }));
  return (
    <div className="h-64 w-full" aria-hidden="true">
      <ResponsiveContainer>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="step" tick={{ fontSize: 12 }} />
          <YAxis allowDecimals={false} tick={{ fontSize: 12 }} width={48} />
          <Tooltip />
          {keys.length > 1 && <Legend />}
          {keys.map((v) => (
            <Bar key={v} dataKey={name(v)} fill={COLORS[v] ?? "#0d9488"} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
