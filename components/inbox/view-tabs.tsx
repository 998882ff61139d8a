"use client";

import { Suspense, use } from "react";
import { countLabel, formatCount, inboxViews, type InboxView, type ViewCounts } from "@/lib/schemas/inbox";
import { useViewCounts } from "@/lib/swr/use-inbox-meta";

const viewLabels: Record<InboxView, string> = { mine: "Mine", unassigned: "Unassigned", ai: "AI", all: "All" };

type Props = { view: InboxView; onSelect: (view: InboxView) => void };

/**
 * The view tabs with their counts. The server starts the counts and streams them in (`counts` is its
 * promise), so the list never waits for them; then they stay live through useViewCounts, the same
 * cache as the nav badge and the dashboard. Each count says what it counts ("6 unassigned open").
 */
export function ViewTabs({ counts, ...props }: Props & { counts: Promise<ViewCounts> }) {
  return (
    <Suspense fallback={<Tabs {...props} counts={null} />}>
      <LiveTabs {...props} initial={counts} />
    </Suspense>
  );
}

function LiveTabs({ initial, ...props }: Props & { initial: Promise<ViewCounts> }) {
  const streamed = use(initial);
  const { data } = useViewCounts(streamed);
  return <Tabs {...props} counts={data?.counts ?? streamed} />;
}

function Tabs({ view, onSelect, counts }: Props & { counts: ViewCounts | null }) {
  return (
    <div className="space-y-1">
      <div role="tablist" aria-label="Views" className="grid grid-cols-4 gap-1" aria-busy={counts === null}>
        {inboxViews.map((v) => {
          const label = counts ? countLabel(counts, v) : undefined;
          return (
            <button
              key={v}
              role="tab"
              type="button"
              aria-selected={view === v}
              aria-label={label ? `${viewLabels[v]}: ${label}` : viewLabels[v]}
              title={label}
              onClick={() => onSelect(v)}
              className={`rounded-md px-1 py-1 text-xs font-medium ${view === v ? "bg-brand-600 text-white" : "text-slate-600 hover:bg-slate-100"}`}
              data-testid={`view-${v}`}
              data-count={counts?.[v]}
            >
              {viewLabels[v]} <span className="tabular-nums">{counts ? formatCount(counts, v) : "…"}</span>
            </button>
          );
        })}
      </div>
      <p className="px-1 text-xs text-slate-500" aria-live="polite" data-testid="view-count-label">
        {counts ? (
          <>
            <span title={countLabel(counts, view)}>{countLabel(counts, view)}</span> · <span title={countLabel(counts, "unread")}>{countLabel(counts, "unread")}</span>
          </>
        ) : (
          "Counting…"
        )}
      </p>
    </div>
  );
}
