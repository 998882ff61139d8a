import { CUSTOMER_SERVICE_WINDOW_MS } from "@/lib/schemas/conversation";

/** Client-safe display helpers for the inbox (no server imports). */

export function timeAgo(iso: string | null, now = Date.now()): string {
  if (!iso) return "";
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 60) return "now";
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  if (s < 7 * 86400) return `${Math.floor(s / 86400)}d`;
  return new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short" });
}

/**
 * When something happened, as a phrase that reads in a sentence ("changed 5 min ago", "changed on
 * Oct 24"): relative within a week, a date after that, so a date never gets an "ago".
 */
export function sinceLabel(iso: string | null, now = Date.now()): string {
  if (!iso) return "";
  const d = new Date(iso);
  const s = Math.max(0, Math.round((now - d.getTime()) / 1000));
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  const days = Math.floor(s / 86400);
  if (days < 7) return days === 1 ? "yesterday" : `${days} days ago`;
  const sameYear = d.getFullYear() === new Date(now).getFullYear();
  return `on ${d.toLocaleDateString(undefined, { day: "numeric", month: "short", year: sameYear ? undefined : "numeric" })}`;
}

/** The 24-hour customer-service window as the composer and the list show it. */
export function windowState(lastCustomerMessageAt: string | null, now = Date.now()): { open: boolean; remainingMs: number; label: string } {
  if (!lastCustomerMessageAt) return { open: false, remainingMs: 0, label: "Window closed" };
  const remainingMs = new Date(lastCustomerMessageAt).getTime() + CUSTOMER_SERVICE_WINDOW_MS - now;
  if (remainingMs <= 0) return { open: false, remainingMs: 0, label: "Window closed" };
  const h = Math.floor(remainingMs / 3600_000);
  const m = Math.floor((remainingMs % 3600_000) / 60_000);
  return { open: true, remainingMs, label: h > 0 ? `${h}h ${m}m left` : `${m}m left` };
}

export function fileSize(bytes: number | null): string {
  if (bytes === null) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function dayLabel(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const startOf = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const days = Math.round((startOf(now) - startOf(d)) / 86400_000);
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  return d.toLocaleDateString(undefined, { weekday: days < 7 ? "long" : undefined, day: "numeric", month: "long", year: d.getFullYear() === now.getFullYear() ? undefined : "numeric" });
}

export function clockTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

/** A client idempotency key: random, URL-safe, within the API's 8-80 characters. */
export function newIdempotencyKey(): string {
  return `c${crypto.randomUUID().replace(/-/g, "")}`;
}
