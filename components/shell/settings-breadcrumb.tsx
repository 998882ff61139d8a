"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { settingsGroups } from "@/components/shell/nav-items";

/** "Settings › Audit log" above each settings page: the way back to the index, and where you are. */
export function SettingsBreadcrumb() {
  const pathname = usePathname();
  const item = settingsGroups.flatMap((g) => g.items).find((i) => pathname === i.href || pathname.startsWith(`${i.href}/`));
  if (pathname === "/settings" || !item) return null;
  return (
    <nav aria-label="Breadcrumb" className="mb-3 text-sm text-slate-500">
      <Link href="/settings" aria-label="Back to all settings" className="hover:text-slate-800 hover:underline">Settings</Link>
      <span aria-hidden> › </span>
      <span aria-current="page" className="text-slate-700">{item.label}</span>
    </nav>
  );
}
