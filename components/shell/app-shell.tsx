"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useState } from "react";
import { isActive, NavLinks, type NavLink } from "@/components/shell/nav-links";

/**
 * The frame of every signed-in page. On a laptop: the navigation down the left, the header (stand-in
 * badges, the user menu) above the page. On a phone: one slim bar with a Menu button that unfolds
 * both, so the page itself starts at the top of the screen (issue 16: the 13-link bar made the page
 * 1,051 px wide). The header is passed in once and only shown or hidden, never rendered twice.
 */
export function AppShell({ items, header, children }: { items: NavLink[]; header: React.ReactNode; children: React.ReactNode }) {
  const pathname = usePathname();
  // The menu is open on the page it was opened on: following a link folds it away by itself.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const setOpen = (next: boolean) => setOpenOn(next ? pathname : null);
  const current = items.find((i) => isActive(pathname, i.match));

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpenOn(null);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);

  return (
    <div className="flex min-h-[100dvh] flex-col md:flex-row">
      <a href="#main" className="sr-only z-50 rounded bg-white px-3 py-2 focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:ring-2 focus:ring-brand-600">
        Skip to content
      </a>
      <div className="flex h-12 items-center justify-between gap-2 border-b border-slate-200 bg-white px-3 md:hidden">
        <Link href="/" className="truncate font-semibold text-brand-700">
          WhatsApp AI CRM{current && <span className="font-normal text-slate-500"> · {current.label}</span>}
        </Link>
        <button
          type="button"
          onClick={() => setOpen(!open)}
          aria-expanded={open}
          aria-controls="main-nav app-header"
          className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50"
        >
          {open ? "Close" : "Menu"}
        </button>
      </div>
      <nav id="main-nav" aria-label="Main" className={`${open ? "block" : "hidden"} border-b border-slate-200 bg-white p-3 md:block md:w-52 md:shrink-0 md:border-b-0 md:border-r`}>
        <div className="mb-3 hidden px-3 text-base font-semibold text-brand-700 md:block">WhatsApp AI CRM</div>
        <NavLinks items={items} />
      </nav>
      <div className="flex min-w-0 flex-1 flex-col">
        <header id="app-header" className={`${open ? "flex" : "hidden"} flex-wrap items-center justify-between gap-2 border-b border-slate-200 bg-white px-4 py-2 md:flex`}>
          {header}
        </header>
        <main id="main" tabIndex={-1} className="min-w-0 flex-1 p-4 outline-none md:p-6">
          {children}
        </main>
      </div>
    </div>
  );
}
