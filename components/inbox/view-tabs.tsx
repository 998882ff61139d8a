"use client";

import { Suspense, use } from "react";
import { countLabel, formatCount, inboxViews, type InboxView, type ViewCounts } from "@/lib/schemas/inbox";
import { useViewCounts } from "@/lib/swr/use-inbox-meta";

const viewLabels: Record<InboxView, string> = { mine: "Mine", unassigned: "Unassigned", ai: "AI", all: "All" };

/** The counts the server streamed in, then the live ones (the cache the nav badge and the dashboard share). */
function useLiveCounts(initial: Promise<ViewCounts>): ViewCounts {
  const streamed = use(initial);
  const { data } = useViewCounts(streamed);
  return data?.counts ?? streamed;
}

/**
 * The view tabs with their counts. The server starts the counts and streams them in (`counts` is its
 * promise), so the list never waits for them: only the numbers wait, inside their own Suspense
 * boundaries, and the tabs work before. Each count says what it counts ("6 unassigned open").
 */
export function ViewTabs({ view, onSelect, counts }: { view: InboxView; onSelect: (view: InboxView) => void; counts: Promise<ViewCounts> }) {
  return (
    <div className="space-y-1">
      <div role="tablist" aria-label="Views" className="grid grid-cols-4 gap-1">
        {inboxViews.map((v) => (
          <button
            key={v}
            role="tab"
            type="button"
            aria-selected={view === v}
            onClick={() => onSelect(v)}
            className={`rounded-md px-1 py-1 text-xs font-medium ${view === v ? "bg-brand-600 text-white" : "text-slate-600 hover:bg-slate-100"}`}
            data-testid={`view-${v}`}
          >
            {/* The visible "Unassigned 6" is hidden from screen readers, which hear TabCount's whole sentence instead. */}
            <span aria-hidden="true">{viewLabels[v]}</span>
            <Suspense
              fallback={
                <>
                  <span aria-hidden="true"> …</span>
                  <span className="sr-only">{viewLabels[v]}</span>
                </>
              }
            >
              <TabCount name={v} initial={counts} />
            </Suspense>
          </button>
        ))}
      </div>
      <Suspense fallback={<p className="px-1 text-xs text-slate-500">Counting…</p>}>
        <Caption view={view} initial={counts} />
      </Suspense>
    </div>
  );
}

function TabCount({ name, initial }: { name: InboxView; initial: Promise<ViewCounts> }) {
  const counts = useLiveCounts(initial);
  const label = countLabel(counts, name);
  return (
    <span title={label} data-testid={`view-count-${name}`} data-count={counts[name]}>
      <span className="tabular-nums" aria-hidden="true">
        {" "}
        {formatCount(counts, name)}
      </span>
      <span className="sr-only">{`${viewLabels[name]}: ${label}`}</span>
    </span>
  );
}

function Caption({ view, initial }: { view: InboxView; initial: Promise<ViewCounts> }) {
  const counts = useLiveCounts(initial);
  return (
    <p className="px-1 text-xs text-slate-500" aria-live="polite" data-testid="view-count-label">
      <span title={countLabel(counts, view)}>{countLabel(counts, view)}</span> · <span title={countLabel(counts, "unread")}>{countLabel(counts, "unread")}</span>
    </p>
  );
}
