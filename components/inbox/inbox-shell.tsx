"use client";

import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { Dialog } from "@/components/ui/dialog";
import type { ConversationPage } from "@/lib/inbox/list-conversations";
import { timeAgo, windowState } from "@/lib/inbox/format";
import { priorities } from "@/lib/schemas/conversation";
import type { AssigneeResponse, ConversationResponse, InboxView, StatusFilter, ViewCounts } from "@/lib/schemas/inbox";
import { useConversationList, type ListFilters } from "@/lib/swr/use-conversations";
import { useAssignees } from "@/lib/swr/use-inbox-meta";
import { OfflinePrompt } from "./offline-prompt";
import { StatusIcon, type TickStatus } from "./status-icon";
import { ViewTabs } from "./view-tabs";

const statusOptions: { value: StatusFilter; label: string }[] = [
  { value: "active", label: "Active" },
  { value: "open", label: "Open" },
  { value: "assigned", label: "Assigned" },
  { value: "waiting", label: "Waiting" },
  { value: "ai_handled", label: "AI-handled" },
  { value: "snoozed", label: "Snoozed" },
  { value: "resolved", label: "Resolved" },
  { value: "closed", label: "Closed" },
  { value: "any", label: "Any status" },
];

export const shortcuts: [string, string][] = [
  ["j / k", "Next / previous conversation"],
  ["r", "Reply (focus the composer)"],
  ["e", "Resolve the conversation"],
  ["a", "Assign (focus the assignee menu)"],
  ["/", "Saved replies"],
  ["Enter / Shift+Enter", "Send / new line"],
  ["?", "This help"],
];

function typing(target: EventTarget | null) {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
}

/** The inbox: list on the left (live), the open conversation on the right; one column on a phone. */
export function InboxShell({
  initialPage,
  initialCounts,
  initialAssignees,
  initialView,
  meId,
  meOffline = false,
  children,
}: {
  initialPage: ConversationPage;
  /** Streamed: the list renders without waiting for the counts. */
  initialCounts: Promise<ViewCounts>;
  initialAssignees: AssigneeResponse[];
  initialView: InboxView;
  meId: string;
  /** The signed-in agent is offline, so round-robin skips them: the list starts with a prompt to go online. */
  meOffline?: boolean;
  children: React.ReactNode;
}) {
  const params = useParams<{ id?: string }>();
  const currentId = params.id ?? null;
  const router = useRouter();
  const [filters, setFilters] = useState<ListFilters>({ view: initialView });
  const [search, setSearch] = useState("");
  const list = useConversationList(filters, filters.view === initialView && Object.keys(filters).length === 1 ? initialPage : null);
  const { data: team } = useAssignees(initialAssignees);
  const names = new Map((team?.assignees ?? initialAssignees).map((a) => [a.id, a.name]));
  const [help, setHelp] = useState(false);
  const { applyLocal } = list;

  useEffect(() => {
    const t = setTimeout(() => setFilters((f) => (f.q === (search.trim() || undefined) ? f : { ...f, q: search.trim() || undefined })), 300);
    return () => clearTimeout(t);
  }, [search]);

  useEffect(() => {
    const onUpdate = (e: Event) => applyLocal((e as CustomEvent<ConversationResponse>).detail);
    window.addEventListener("inbox:conversation-updated", onUpdate);
    return () => window.removeEventListener("inbox:conversation-updated", onUpdate);
  }, [applyLocal]);

  const rows = list.rows;
  const move = useCallback(
    (delta: number) => {
      if (rows.length === 0) return;
      const i = rows.findIndex((r) => r.id === currentId);
      const next = rows[Math.min(rows.length - 1, Math.max(0, i === -1 ? 0 : i + delta))];
      if (next) {
        router.push(`/inbox/${next.id}`);
        document.getElementById(`row-${next.id}`)?.scrollIntoView({ block: "nearest" });
      }
    },
    [rows, currentId, router],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      const fire = (name: string, detail?: unknown) => window.dispatchEvent(new CustomEvent(name, { detail }));
      const actions: Record<string, () => void> = {
        j: () => move(1),
        k: () => move(-1),
        r: () => fire("inbox:focus-composer"),
        e: () => fire("inbox:resolve"),
        a: () => fire("inbox:assign"),
        "/": () => fire("inbox:focus-composer", { slash: true }),
        "?": () => setHelp(true),
      };
      const action = actions[e.key];
      if (action) {
        e.preventDefault();
        action();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [move]);

  const more = useRef<HTMLLIElement>(null);
  const { hasMore, loadMore } = list;
  useEffect(() => {
    const el = more.current;
    if (!el || !hasMore) return;
    const io = new IntersectionObserver((entries) => entries[0]?.isIntersecting && void loadMore());
    io.observe(el);
    return () => io.disconnect();
  }, [hasMore, loadMore]);

  return (
    <div className="-m-4 flex h-[calc(100dvh-3rem)] min-h-[420px] overflow-hidden bg-white md:-m-6 md:h-[calc(100dvh-3.1rem)]">
      <section aria-label="Conversations" className={`${currentId ? "hidden md:flex" : "flex"} w-full flex-col border-r border-slate-200 md:w-80 lg:w-96`}>
        <div className="space-y-2 border-b border-slate-200 p-2">
          <ViewTabs view={filters.view} counts={initialCounts} onSelect={(v) => setFilters((f) => ({ ...f, view: v }))} />
          <label className="block">
            <span className="sr-only">Search conversations by name, phone or message text</span>
            <input
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              placeholder="Search name, phone, message…"
              maxLength={100}
              className="w-full rounded-md border border-slate-300 px-2 py-1 text-sm"
            />
          </label>
          <div className="grid grid-cols-2 gap-1 text-xs">
            <select aria-label="Status" value={filters.status ?? ""} onChange={(e) => setFilters((f) => ({ ...f, status: (e.target.value || undefined) as StatusFilter | undefined }))} className="rounded border border-slate-300 bg-white px-1 py-0.5">
              <option value="">{filters.q ? "Any status" : "Active"}</option>
              {statusOptions.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
            <select aria-label="Priority" value={filters.priority ?? ""} onChange={(e) => setFilters((f) => ({ ...f, priority: e.target.value || undefined }))} className="rounded border border-slate-300 bg-white px-1 py-0.5 capitalize">
              <option value="">Any priority</option>
              {priorities.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
            <select aria-label="Assignee" value={filters.assignee ?? ""} onChange={(e) => setFilters((f) => ({ ...f, assignee: e.target.value || undefined }))} className="rounded border border-slate-300 bg-white px-1 py-0.5">
              <option value="">Anyone</option>
              <option value="none">Unassigned</option>
              {(team?.assignees ?? []).map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
            <input
              aria-label="Tag"
              placeholder="Tag"
              defaultValue={filters.tag}
              onKeyDown={(e) => e.key === "Enter" && setFilters((f) => ({ ...f, tag: e.currentTarget.value.trim().toLowerCase() || undefined }))}
              onBlur={(e) => setFilters((f) => ({ ...f, tag: e.target.value.trim().toLowerCase() || undefined }))}
              className="rounded border border-slate-300 px-1 py-0.5"
            />
          </div>
        </div>
        {meOffline && <OfflinePrompt />}
        {list.error && (
          <p role="alert" className="p-2 text-sm text-red-700">
            {list.error}
          </p>
        )}
        <ul className="flex-1 overflow-y-auto" aria-busy={list.loading} data-testid="conversation-list">
          {rows.map((c) => (
            <Row key={c.id} c={c} active={c.id === currentId} assignee={c.assigneeId ? (c.assigneeId === meId ? "Me" : (names.get(c.assigneeId) ?? "Agent")) : null} />
          ))}
          {!list.loading && rows.length === 0 && <li className="p-4 text-center text-sm text-slate-500">{filters.q ? "Nothing matches this search." : "No conversations here. Nice work!"}</li>}
          {list.hasMore && (
            <li ref={more} className="p-2 text-center">
              <button type="button" onClick={() => void list.loadMore()} className="text-xs text-brand-700 underline">
                Load more
              </button>
            </li>
          )}
        </ul>
        <button type="button" onClick={() => setHelp(true)} className="border-t border-slate-200 p-1 text-xs text-slate-500 hover:bg-slate-50">
          Keyboard shortcuts (?)
        </button>
      </section>
      <div className={`${currentId ? "flex" : "hidden md:flex"} min-w-0 flex-1`}>{children}</div>
      <Dialog open={help} onClose={() => setHelp(false)} title="Keyboard shortcuts">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          {shortcuts.map(([k, d]) => (
            <div key={k} className="contents">
              <dt>
                <kbd className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs ring-1 ring-slate-300">{k}</kbd>
              </dt>
              <dd>{d}</dd>
            </div>
          ))}
        </dl>
        <button type="button" className="mt-4 text-sm text-brand-700 underline" onClick={() => setHelp(false)}>
          Close
        </button>
      </Dialog>
    </div>
  );
}

export function statusLabel(status: ConversationResponse["status"]): string {
  return status === "ai_handled" ? "AI-handled" : status[0]!.toUpperCase() + status.slice(1);
}

function Row({ c, active, assignee }: { c: ConversationResponse; active: boolean; assignee: string | null }) {
  const win = windowState(c.lastCustomerMessageAt);
  const last = c.lastMessage;
  // The preview's status is the same ladder as a message's (a string on the wire).
  const tick = last && last.sender !== "customer" ? ((last.status ?? "pending") as TickStatus) : null;
  return (
    <li id={`row-${c.id}`}>
      <Link
        href={`/inbox/${c.id}`}
        aria-current={active ? "page" : undefined}
        className={`block border-b border-slate-100 px-3 py-2 focus:outline-2 focus:-outline-offset-2 ${active ? "bg-brand-50" : "hover:bg-slate-50"}`}
        data-testid="conversation-row"
        data-conversation-id={c.id}
      >
        <div className="flex items-center gap-2">
          <span className={`min-w-0 flex-1 truncate ${c.unreadCount > 0 ? "font-semibold" : "font-medium"}`}>{c.contact.name ?? c.contact.phone ?? "Unknown"}</span>
          <time className="shrink-0 text-xs text-slate-500" dateTime={c.lastCustomerMessageAt ?? undefined} title="Since the customer's last message">
            {timeAgo(c.lastCustomerMessageAt)}
          </time>
        </div>
        <div className="flex items-center gap-1 text-sm text-slate-600">
          {tick && <StatusIcon status={tick} label={`Last reply ${tick === "pending" ? "sending" : tick}`} />}
          {last?.sender === "ai" && <span className="text-xs text-violet-700">AI:</span>}
          <span className="min-w-0 flex-1 truncate">{last?.preview ?? "No messages yet"}</span>
          {c.unreadCount > 0 && (
            <span className="shrink-0 rounded-full bg-emerald-600 px-1.5 text-xs font-semibold text-white" aria-label={`${c.unreadCount} unread`}>
              {c.unreadCount}
            </span>
          )}
        </div>
        <div className="mt-0.5 flex flex-wrap items-center gap-1 text-[11px]">
          <span className={`rounded px-1 ${win.open ? "bg-emerald-50 text-emerald-700" : "bg-slate-100 text-slate-500"}`}>{win.open ? `24h: ${win.label}` : "window closed"}</span>
          {c.priority !== "normal" && <span className={`rounded px-1 capitalize ${c.priority === "urgent" ? "bg-red-100 text-red-800" : c.priority === "high" ? "bg-orange-100 text-orange-800" : "bg-slate-100"}`}>{c.priority}</span>}
          {c.status !== "open" && c.status !== "assigned" && <span className="rounded bg-slate-100 px-1 text-slate-600">{statusLabel(c.status)}</span>}
          <span className="ml-auto text-slate-500">{assignee ?? (c.status === "ai_handled" ? "AI" : "Unassigned")}</span>
        </div>
      </Link>
    </li>
  );
}
