"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { InboxUnreadBadge } from "@/components/inbox/unread-badge";

/** A navigation entry; `match` lists the path prefixes that make it the current section. */
export type NavLink = { href: string; label: string; match: string[] };

export const isActive = (pathname: string, match: string[]) => match.some((m) => (m === "/" ? pathname === "/" : pathname === m || pathname.startsWith(`${m}/`)));

export function NavLinks({ items }: { items: NavLink[] }) {
  const pathname = usePathname();
  return (
    <ul className="flex flex-col gap-1">
      {items.map((item) => {
        const active = isActive(pathname, item.match);
        return (
          <li key={item.href}>
            <Link
              href={item.href}
              aria-current={active ? "page" : undefined}
              className={`block rounded-md px-3 py-1.5 font-medium focus-visible:outline-2 focus-visible:outline-brand-600 ${active ? "bg-brand-50 text-brand-700" : "text-slate-600 hover:bg-slate-100"}`}
            >
              {item.label}
              {item.href === "/inbox" && <InboxUnreadBadge />}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
