"use client";

import { usePathname } from "next/navigation";
import { useEffect } from "react";
import { countLabel, formatCount } from "@/lib/schemas/inbox";
import { useViewCounts } from "@/lib/swr/use-inbox-meta";

const PREFIX = /^\(\d+\+?\) /;

/**
 * Conversations with unread customer messages (within what the user may see): in the nav and the tab
 * title. The same count, cache and label as the inbox tabs and the dashboard ("9 unread conversations").
 */
export function InboxUnreadBadge() {
  const { data } = useViewCounts();
  const unread = data?.counts.unread ?? 0;
  const count = data ? formatCount(data.counts, "unread") : "0";
  const label = data ? countLabel(data.counts, "unread") : "";
  const pathname = usePathname();
  useEffect(() => {
    const base = document.title.replace(PREFIX, "");
    document.title = unread > 0 ? `(${count}) ${base}` : base;
  }, [unread, count, pathname]);
  if (unread === 0) return null;
  return (
    <span className="ml-1.5 whitespace-nowrap rounded-full bg-emerald-700 px-1.5 text-xs font-semibold text-white" title={label} aria-label={label} data-testid="nav-unread" data-count={unread}>
      {count} unread
    </span>
  );
}
