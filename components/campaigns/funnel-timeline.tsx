"use client";

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import useSWR from "swr";
import type { TimelinePoint } from "@/lib/campaigns/timeline";
import { fetcher } from "@/lib/swr/fetcher";

const LINES = [
  ["sent", "Sent", "#0d9488"],
  ["delivered", "Delivered", "#0284c7"],
  ["read", "Read", "#6366f1"],
  ["replied", "Replied", "#f59e0b"],
  ["clicked", "Clicked", "#db2777"],
  ["converted", "Converted", "#16a34a"],
] as const;

const hourLabel = (iso: string) => new Date(iso).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit" });

/**
 * The funnel hour by hour (cumulative): how fast the campaign went out and was read and answered.
 * Refreshed every 30 s while the page is open; the table above has the same totals for screen readers.
 */
export function FunnelTimeline({ campaignId, live }: { campaignId: string; live: boolean }) {
  const { data, error } = useSWR<{ timeline: TimelinePoint[] }>(`/api/campaigns/${campaignId}/timeline`, fetcher, { refreshInterval: live ? 30_000 : 0 });
  if (error) return <p className="text-sm text-red-700">The timeline could not be loaded: {error.message}</p>;
  if (!data) return <p className="text-sm text-slate-500">Loading the timeline…</p>;
  if (data.timeline.length === 0) return <p className="text-sm text-slate-500">Nothing sent yet: the funnel over time appears with the first message.</p>;
  return (
    <figure aria-label="Funnel over time">
      <figcaption className="mb-2 text-sm font-medium text-slate-700">Over time (cumulative, by hour)</figcaption>
      <div className="h-64 w-full" aria-hidden="true">
        <ResponsiveContainer>
          <LineChart data={data.timeline} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="hour" tickFormatter={hourLabel} tick={{ fontSize: 12 }} minTickGap={24} />
            <YAxis allowDecimals={false} tick={{ fontSize: 12 }} width={48} />
            <Tooltip labelFormatter={(v) => hourLabel(String(v))} />
            <Legend />
            {LINES.map(([key, label, color]) => (
              <Line key={key} type="stepAfter" dataKey={key} name={label} stroke={color} dot={false} isAnimationActive={false} />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
