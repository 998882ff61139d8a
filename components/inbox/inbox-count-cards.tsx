"use client";

import Link from "next/link";
import { Suspense, use } from "react";
import { countLabel, countParts, type CountName, type ViewCounts } from "@/lib/schemas/inbox";
import { useViewCounts } from "@/lib/swr/use-inbox-meta";

const shown: CountName[] = ["all", "unassigned", "unread"];

/**
 * The dashboard's inbox numbers: viewCounts, streamed from the server and then live through the same
 * cache as the inbox tabs and the nav badge, so the three always agree and read alike.
 */
export function InboxCountCards({ counts }: { counts: Promise<ViewCounts> }) {
  return (
    <Suspense fallback={<Cards counts={null} />}>
      <LiveCards initial={counts} />
    </Suspense>
  );
}

function LiveCards({ initial }: { initial: Promise<ViewCounts> }) {
  const streamed = use(initial);
  const { data } = useViewCounts(streamed);
  return <Cards counts={data?.counts ?? streamed} />;
}

function Cards({ counts }: { counts: ViewCounts | null }) {
  return shown.map((name) => {
    const parts = counts ? countParts(counts, name) : null;
    const label = counts ? countLabel(counts, name) : undefined;
    return (
      <Link
        key={name}
        href="/inbox"
        title={label}
        aria-label={label ?? "Counting conversations"}
        aria-busy={counts === null}
        className="block rounded-lg bg-white p-4 ring-1 ring-slate-200 hover:ring-brand-600 focus-visible:outline-2 focus-visible:outline-brand-600"
        data-testid={counts ? `dashboard-count-${name}` : undefined}
        data-count={counts?.[name]}
      >
        <span className="block text-2xl font-semibold tabular-nums">{parts?.count ?? "…"}</span>{" "}
        <span className="mt-1 block text-slate-600">{parts?.words ?? "counting"}</span>
      </Link>
    );
  });
}
