"use client";

import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import useSWR from "swr";
import useSWRInfinite from "swr/infinite";
import { Button } from "@/components/ui/button";
import { ErrorText } from "@/components/ui/field";
import { describeConsent } from "@/lib/contacts/consent-label";
import { fetcher, sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";
import type { ContactResponse } from "@/lib/schemas/contact";
import { contactListSearch, contactSortNames, decodeFilter, encodeFilter } from "@/lib/schemas/contact-directory";
import type { SegmentGroup } from "@/lib/schemas/segment";
import { journeyStageLabels, type JourneyStage } from "@/lib/schemas/journey";
import { BulkActions } from "./bulk-actions";
import { NewContactDialog } from "./new-contact-dialog";
import { SegmentBuilder } from "./segment-builder";
import { TagChip } from "./tag-chip";

export type SegmentSummary = { id: string; name: string; description: string | null; definition: SegmentGroup };
export type ListSummary = { id: string; name: string; members: number | null };
type Page = { contacts: ContactResponse[]; nextCursor: string | null };

const sortLabels: Record<(typeof contactSortNames)[number], string> = {
  newest: "Newest first",
  oldest: "Oldest first",
  recent_activity: "Last message",
  name: "Name A–Z",
  lead_score: "Lead score",
};

const columns = {
  phone: { label: "Phone", cell: (c: ContactResponse) => c.phone ?? (c.username ? `@${c.username}` : "—") },
  email: { label: "Email", cell: (c: ContactResponse) => c.email ?? "—" },
  company: { label: "Company", cell: (c: ContactResponse) => c.company ?? "—" },
  tags: { label: "Tags", cell: (c: ContactResponse, colors: Record<string, string>) => (c.tags.length ? <span className="flex flex-wrap gap-1">{c.tags.map((t) => <TagChip key={t} name={t} color={colors[t]} />)}</span> : "—") },
  consent: { label: "Consent", cell: (c: ContactResponse) => describeConsent(c.consent).state },
  owner: { label: "Owner", cell: (c: ContactResponse, _colors: Record<string, string>, ownerNames: Map<string, string>) => (c.ownerId ? (ownerNames.get(c.ownerId) ?? "Former teammate") : "—") },
  source: { label: "Source", cell: (c: ContactResponse) => sourceLabel(c) },
  createdAt: { label: "Created", cell: (c: ContactResponse) => day(c.createdAt) },
  lastInboundAt: { label: "Last message", cell: (c: ContactResponse) => (c.lastInboundAt ? day(c.lastInboundAt) : "Never") },
  leadScore: { label: "Lead score", cell: (c: ContactResponse) => (c.leadScore === null ? "—" : <span className="tabular-nums">{c.leadScore}</span>) },
  journeyStage: { label: "Journey stage", cell: (c: ContactResponse, _colors: Record<string, string>, _owners: Map<string, string>, stages: Record<JourneyStage, string>) => (c.journeyStage ? stages[c.journeyStage] : "—") },
} as const satisfies Record<string, { label: string; cell: (c: ContactResponse, colors: Record<string, string>, ownerNames: Map<string, string>, stages: Record<JourneyStage, string>) => React.ReactNode }>;
type Column = keyof typeof columns;
const DEFAULT_COLUMNS: Column[] = ["phone", "email", "company", "tags", "consent", "lastInboundAt"];
const COLUMNS_KEY = "contacts.columns";

function day(iso: string) {
  return new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

function sourceLabel(c: ContactResponse) {
  if (c.source.kind === "ctwa_ad") {
    const headline = c.source.referral?.headline;
    return typeof headline === "string" ? `Ad: ${headline}` : "Click-to-WhatsApp ad";
  }
  return { whatsapp: "WhatsApp", manual: "Added by hand", import: "Import", widget: "Website widget", campaign: "Campaign" }[c.source.kind] ?? c.source.kind;
}

const emptyFilter: SegmentGroup = { match: "all", conditions: [] };

/** Conditions a person has not finished (no value yet) are left out rather than refused. */
function decode(filter: string | null): SegmentGroup | null {
  if (!filter) return null;
  try {
    return decodeFilter(filter) as SegmentGroup;
  } catch {
    return null;
  }
}

function complete(def: SegmentGroup): SegmentGroup {
  return {
    ...def,
    conditions: def.conditions.filter((c) => {
      if ("match" in c) return true;
      if (["is_set", "is_not_set", "is_true", "is_false"].includes(c.op)) return true;
      if (Array.isArray(c.value)) return c.value.length > 0 && c.value.every((v) => v !== "");
      return c.value !== undefined && c.value !== "";
    }),
  };
}

/**
 * The contacts directory: search, a saved segment or an ad-hoc filter, sort, keyset pages loaded
 * on demand. The URL holds the whole query, so a filtered list can be reloaded, bookmarked and shared.
 */
export function ContactsDirectory({
  segments: initialSegments,
  lists: initialLists,
  owners,
  tagColors,
  stageNames = journeyStageLabels,
  canManage,
  initialPage,
  renderedQuery,
}: {
  segments: SegmentSummary[];
  lists: ListSummary[];
  owners: { id: string; name: string }[];
  tagColors: Record<string, string>;
  /** The organization's names for the journey stages. */
  stageNames?: Record<JourneyStage, string>;
  canManage: boolean;
  initialPage: Page;
  /** The query the server rendered `initialPage` for: reused only while the URL still asks for it. */
  renderedQuery: string;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const q = params.get("q") ?? "";
  const sort = params.get("sort") ?? "newest";
  const filter = params.get("filter");
  const segmentId = params.get("segmentId");

  const [search, setSearch] = useState(q);
  const [showFilter, setShowFilter] = useState(!!filter);
  const [draft, setDraft] = useState<SegmentGroup>(() => decode(filter) ?? emptyFilter);
  const [segments, setSegments] = useState(initialSegments);
  const [lists, setLists] = useState(initialLists);
  const ownerNames = useMemo(() => new Map(owners.map((o) => [o.id, o.name])), [owners]);
  const { error, run } = useAction();
  const [creating, setCreating] = useState(false);
  const [visible, setVisible] = useState<Column[]>(DEFAULT_COLUMNS);

  useEffect(() => {
    const saved = localStorage.getItem(COLUMNS_KEY);
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the column choice lives in localStorage, read after hydration
    if (saved) setVisible(JSON.parse(saved).filter((c: string) => c in columns));
  }, []);

  function navigate(next: Record<string, string | null>) {
    const p = new URLSearchParams(params.toString());
    for (const [k, v] of Object.entries(next)) {
      if (v) p.set(k, v);
      else p.delete(k);
    }
    router.replace(`${pathname}?${p.toString()}`, { scroll: false });
  }

  // Typing searches after a short pause; the URL is the source of truth for what is shown.
  useEffect(() => {
    if (search === q) return;
    const t = setTimeout(() => navigate({ q: search.trim() || null }), 300);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search]);

  const query = useMemo(() => contactListSearch({ q, sort, filter, segmentId }), [q, sort, filter, segmentId]);
  const firstKey = `/api/contacts?${query}`;
  const pages = useSWRInfinite<Page>(
    (i, prev: Page | null) => (i === 0 ? firstKey : prev?.nextCursor ? `/api/contacts?${query}${query ? "&" : ""}cursor=${encodeURIComponent(prev.nextCursor)}` : null),
    fetcher,
    { fallbackData: query === renderedQuery ? [initialPage] : undefined, revalidateFirstPage: false },
  );
  const count = useSWR<{ count: number; capped: boolean }>(`/api/contacts/count?${query}`, fetcher);
  const contacts = pages.data?.flatMap((p) => p.contacts) ?? [];
  const last = pages.data?.at(-1);
  const loadingMore = pages.isValidating && pages.size > (pages.data?.length ?? 0);
  // While the loaded pages are read again (after a bulk action or a new contact), "Load more" waits:
  // a page added meanwhile would be stitched to the old first page and show it stale.
  const [refreshing, setRefreshing] = useState(false);
  async function refresh() {
    setRefreshing(true);
    try {
      await Promise.all([pages.mutate(), count.mutate()]);
    } finally {
      setRefreshing(false);
    }
  }
  const activeSegment = segments.find((s) => s.id === segmentId);
  // A filter that is exactly "on list X" is shown as that list in the selector.
  const filterDef = decode(filter);
  const only = filterDef?.conditions.length === 1 ? filterDef.conditions[0] : undefined;
  const listInFilter = only && !("match" in only) && only.field === "listIds" && Array.isArray(only.value) && only.value.length === 1 ? only.value[0] : undefined;
  const listError = pages.error ?? count.error;

  function applyFilter() {
    const def = complete(draft);
    navigate({ filter: def.conditions.length ? encodeFilter(def) : null, segmentId: null });
  }

  async function saveSegment() {
    const def = complete(draft);
    const name = window.prompt("Name this segment", activeSegment?.name ?? "");
    if (!name) return;
    const res = await run(() => sendJson<{ segment: SegmentSummary }>("/api/segments", "POST", { name, definition: def }));
    if (!res) return;
    setSegments([...segments, res.segment].sort((a, b) => a.name.localeCompare(b.name)));
    navigate({ segmentId: res.segment.id, filter: null });
  }

  /** The open segment takes the filter as it is now edited. */
  async function updateSegment(s: SegmentSummary) {
    const res = await run(() => sendJson<{ segment: SegmentSummary }>(`/api/segments/${s.id}`, "PUT", { name: s.name, description: s.description, definition: complete(draft) }));
    if (!res) return;
    setSegments(segments.map((x) => (x.id === s.id ? res.segment : x)));
    // Same URL, new definition: the list and count are read again.
    void refresh();
  }

  async function deleteSegment(s: SegmentSummary) {
    if (!window.confirm(`Delete the segment "${s.name}"? Its contacts are not deleted.`)) return;
    if (!(await run(() => sendJson(`/api/segments/${s.id}`, "DELETE")))) return;
    setSegments(segments.filter((x) => x.id !== s.id));
    navigate({ segmentId: null });
  }

  function toggleColumn(c: Column) {
    const next = visible.includes(c) ? visible.filter((x) => x !== c) : [...visible, c];
    setVisible(next);
    localStorage.setItem(COLUMNS_KEY, JSON.stringify(next));
  }

  const shownColumns = (Object.keys(columns) as Column[]).filter((c) => visible.includes(c));
  const total = count.data ? `${count.data.count.toLocaleString()}${count.data.capped ? "+" : ""} contact${count.data.count === 1 ? "" : "s"}` : "Counting…";

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h1 className="text-xl font-semibold">Contacts</h1>
          <p className="text-sm text-slate-600" aria-live="polite" data-testid="contacts-count">
            {total}
            {activeSegment ? ` in “${activeSegment.name}”` : listInFilter ? ` on “${lists.find((l) => l.id === listInFilter)?.name ?? "a deleted list"}”` : filter ? " matching the filter" : ""}
          </p>
        </div>
        <div className="flex gap-2">
          <Link href="/contacts/tags" className="rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-slate-300 hover:bg-slate-50">
            Tags
          </Link>
          <Link href="/contacts/lists" className="rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-slate-300 hover:bg-slate-50">
            Lists
          </Link>
          <Link href="/contacts/duplicates" className="rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-slate-300 hover:bg-slate-50">
            Duplicates
          </Link>
          {canManage && (
            <Link href="/contacts/import" className="rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-slate-300 hover:bg-slate-50">
              Import
            </Link>
          )}
          {canManage && <Button onClick={() => setCreating(true)}>New contact</Button>}
        </div>
      </div>

      <div className="flex flex-wrap items-end gap-2">
        <label className="min-w-48 flex-1 text-sm font-medium text-slate-700">
          Search
          <input
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="Name, phone, email or company"
            className="mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm"
          />
        </label>
        <label className="min-w-0 max-w-full text-sm font-medium text-slate-700">
          Segment
          {/* A long segment name must not widen the page on a phone: the select shrinks and truncates. */}
          <select
            className="mt-1 block w-full max-w-xs truncate rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
            value={segmentId ?? (listInFilter ? `list:${listInFilter}` : "")}
            onChange={(e) => {
              const v = e.target.value;
              if (v.startsWith("list:")) {
                const def: SegmentGroup = { match: "all", conditions: [{ field: "listIds", op: "has_any", value: [v.slice(5)] }] };
                setDraft(def);
                return navigate({ filter: encodeFilter(def), segmentId: null });
              }
              const s = segments.find((x) => x.id === v);
              if (s) setDraft(s.definition);
              navigate({ segmentId: v || null, filter: null });
            }}
          >
            <option value="">All contacts</option>
            {segments.length > 0 && (
              <optgroup label="Segments">
                {segments.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </optgroup>
            )}
            {lists.length > 0 && (
              <optgroup label="Lists">
                {lists.map((l) => (
                  <option key={l.id} value={`list:${l.id}`}>
                    {l.name}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
        </label>
        <label className="text-sm font-medium text-slate-700">
          Sort
          <select className="mt-1 block rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm" value={sort} disabled={!!q} title={q ? "Search results are newest first" : undefined} onChange={(e) => navigate({ sort: e.target.value === "newest" ? null : e.target.value })}>
            {contactSortNames.map((s) => (
              <option key={s} value={s}>
                {sortLabels[s]}
              </option>
            ))}
          </select>
        </label>
        <Button variant="secondary" onClick={() => setShowFilter(!showFilter)} aria-expanded={showFilter}>
          Filter{filter ? " (on)" : ""}
        </Button>
        <details className="relative">
          <summary className="cursor-pointer list-none rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-slate-300 hover:bg-slate-50">Columns</summary>
          <fieldset className="absolute right-0 z-10 mt-1 w-48 space-y-1 rounded-md bg-white p-3 shadow-lg ring-1 ring-slate-200" aria-label="Columns">
            {(Object.keys(columns) as Column[]).map((c) => (
              <label key={c} className="flex items-center gap-2 text-sm">
                <input type="checkbox" checked={visible.includes(c)} onChange={() => toggleColumn(c)} />
                {columns[c].label}
              </label>
            ))}
          </fieldset>
        </details>
      </div>

      {showFilter && (
        <section aria-label="Filter" className="space-y-3 rounded-lg border border-slate-200 bg-white p-3">
          <SegmentBuilder value={draft} onChange={setDraft} lists={lists} users={owners} />
          <div className="flex flex-wrap gap-2">
            <Button onClick={applyFilter}>Apply filter</Button>
            {canManage && (
              <Button variant="secondary" onClick={saveSegment} disabled={complete(draft).conditions.length === 0}>
                Save as segment…
              </Button>
            )}
            {(filter || segmentId) && (
              <Button
                variant="ghost"
                onClick={() => {
                  setDraft(emptyFilter);
                  navigate({ filter: null, segmentId: null });
                }}
              >
                Clear
              </Button>
            )}
            {activeSegment && canManage && (
              <Button variant="secondary" onClick={() => updateSegment(activeSegment)} disabled={complete(draft).conditions.length === 0}>
                Update “{activeSegment.name}”
              </Button>
            )}
            {activeSegment && canManage && (
              <Button variant="ghost" className="text-red-700" onClick={() => deleteSegment(activeSegment)}>
                Delete segment
              </Button>
            )}
          </div>
        </section>
      )}

      <ErrorText>{error ?? (listError ? (listError as Error).message : null)}</ErrorText>

      {canManage && (
        <BulkActions
          lists={lists}
          owners={owners}
          selection={{ ...(q ? { q } : {}), ...(segmentId ? { segmentId } : {}), ...(filter && decode(filter) ? { definition: decode(filter)! } : {}) }}
          count={count.data?.count ?? null}
          exportHref={`/api/contacts/export${query ? `?${query}` : ""}`}
          onChanged={() => void refresh()}
          onListCreated={(l) => setLists((all) => [...all, { ...l, members: null }].sort((a, b) => a.name.localeCompare(b.name)))}
        />
      )}

      <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="min-w-full text-left text-sm">
          <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="px-3 py-2">
                Name
              </th>
              {shownColumns.map((c) => (
                <th key={c} scope="col" className="whitespace-nowrap px-3 py-2">
                  {columns[c].label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {contacts.map((c) => (
              <tr key={c.id} data-testid="contact-row" className="hover:bg-slate-50">
                <td className="whitespace-nowrap px-3 py-2 font-medium">
                  <Link href={`/contacts/${c.id}`} className="text-brand-700 hover:underline">
                    {c.name ?? c.profileName ?? c.phone ?? "Unnamed"}
                  </Link>
                </td>
                {shownColumns.map((col) => (
                  <td key={col} className="whitespace-nowrap px-3 py-2 text-slate-700">
                    {columns[col].cell(c, tagColors, ownerNames, stageNames)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {!pages.isLoading && contacts.length === 0 && !listError && (
          <p className="p-6 text-center text-sm text-slate-500">
            {q || filter || segmentId ? "No contact matches. Try fewer words or a wider filter." : "No contacts yet. They appear here when customers message you, or add one by hand."}
          </p>
        )}
        {pages.isLoading && contacts.length === 0 && <p className="p-6 text-center text-sm text-slate-500">Loading contacts…</p>}
      </div>
      {last?.nextCursor && (
        <div className="text-center">
          <Button variant="secondary" onClick={() => pages.setSize(pages.size + 1)} disabled={loadingMore || refreshing}>
            {loadingMore || refreshing ? "Loading…" : "Load more"}
          </Button>
        </div>
      )}

      {canManage && (
        <NewContactDialog
          open={creating}
          onClose={() => setCreating(false)}
          onCreated={() => {
            setCreating(false);
            void refresh();
          }}
        />
      )}
    </div>
  );
}
