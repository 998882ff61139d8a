"use client";

import { usePathname } from "next/navigation";
import { useEffect } from "react";
import { formatCount } from "@/lib/schemas/inbox";
import { useViewCounts } from "@/lib/swr/use-inbox-meta";

const PREFIX = /^\(\d+\+?\) /;

/** Conversations with unread customer messages (within what the user may see): in the nav and the tab title. */
export function InboxUnreadBadge() {
  const { data } = useViewCounts();
  const unread = data?.counts.unread ?? 0;
  const label = data ? formatCount(data.counts, "unread") : "0";
  const pathname = usePathname();
  useEffect(() => {
    const base = document.title.replace(PREFIX, "");
    document.title = unread > 0 ? `(${label}) ${base}` : base;
  }, [unread, label, pathname]);
  if (unread === 0) return null;
  return (
    <span className="ml-1.5 rounded-full bg-emerald-600 px-1.5 text-xs font-semibold text-white" aria-label={`${label} unread conversations`} data-testid="nav-unread">
      {label}
    </span>
  );
}
