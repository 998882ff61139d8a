"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { InboxUnreadBadge } from "@/components/inbox/unread-badge";

export function NavLinks({ items }: { items: { href: string; label: string }[] }) {
  const pathname = usePathname();
  return (
    <ul className="flex gap-1 md:flex-col">
      {items.map((item) => {
        const active = item.href === "/" ? pathname === "/" : pathname.startsWith(item.href);
        return (
          <li key={item.href}>
            <Link
              href={item.href}
              aria-current={active ? "page" : undefined}
              className={`block rounded-md px-3 py-1.5 font-medium ${active ? "bg-brand-50 text-brand-700" : "text-slate-600 hover:bg-slate-100"}`}
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
