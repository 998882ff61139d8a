"use client";

import { DndContext, KeyboardSensor, PointerSensor, useDraggable, useDroppable, useSensor, useSensors, type DragEndEvent } from "@dnd-kit/core";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import useSWR from "swr";
import { Button } from "@/components/ui/button";
import { encodeFilter } from "@/lib/schemas/contact-directory";
import { journeyStages, type JourneyBoard, type JourneyCard, type JourneyMoveResponse, type JourneyStage, type JourneySuggestion } from "@/lib/schemas/journey";
import type { SegmentCondition, SegmentGroup } from "@/lib/schemas/segment";
import { fetcher, sendJson } from "@/lib/swr/fetcher";

type Owner = { id: string; name: string };
type Toast = { text: string; undo?: { contactId: string; moveId: string; name: string } };

const boardKey = (filter: string | null) => `/api/journey${filter ? `?filter=${filter}` : ""}`;

/** The board with one card moved to the top of another column, as the server will answer it. */
function withMove(board: JourneyBoard, card: JourneyCard, from: JourneyStage, to: JourneyStage): JourneyBoard {
  const moved = { ...card, since: new Date().toISOString() };
  return {
    ...board,
    columns: board.columns.map((c) =>
      c.stage === from
        ? { ...c, count: Math.max(0, c.count - 1), cards: c.cards.filter((x) => x.contactId !== card.contactId) }
        : c.stage === to
          ? { ...c, count: c.count + 1, cards: [moved, ...c.cards] }
          : c,
    ),
  };
}

type Labels = Record<JourneyStage, string>;
const stageNamesOf = (board: JourneyBoard): Labels => Object.fromEntries(board.columns.map((c) => [c.stage, c.label])) as Labels;

function dayCount(d: number): string {
  if (d < 1) return "less than a day";
  const n = Math.floor(d);
  return `${n} ${n === 1 ? "day" : "days"}`;
}
const sinceDays = (iso: string) => (Date.now() - Date.parse(iso)) / 86_400_000;

const percent = (x: number) => `${Math.round(x * 100)}%`;

/**
 * The customer journey as a Kanban board: a column per stage, customers as cards. A card moves by
 * drag and drop (pointer or keyboard, @dnd-kit) or by its "Move to" menu (phones, screen readers);
 * the board shows the move at once, the server confirms it, and the notice offers Undo.
 */
export function JourneyBoardView({
  initialBoard,
  initialFilter,
  filterError,
  owners,
  canMove,
}: {
  initialBoard: JourneyBoard;
  initialFilter: string | null;
  filterError: string | null;
  owners: Owner[];
  canMove: boolean;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const [filter, setFilter] = useState(initialFilter);
  const key = boardKey(filter);
  const { data, error, mutate } = useSWR<JourneyBoard>(key, fetcher, { fallbackData: filter === initialFilter ? initialBoard : undefined, keepPreviousData: true });
  const board = data ?? initialBoard;
  // The organization's names for the stages come with the board.
  const labels = stageNamesOf(board);
  const [toast, setToast] = useState<Toast | null>(null);
  const [failure, setFailure] = useState<string | null>(filterError ? `That filter ${filterError}; showing every customer.` : null);
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 6 } }), useSensor(KeyboardSensor));
  const empty = board.columns.every((c) => c.count === 0);

  async function move(card: JourneyCard, from: JourneyStage, to: JourneyStage) {
    if (from === to) return;
    setFailure(null);
    setToast(null);
    try {
      await mutate(
        async () => {
          const { move: done } = await sendJson<{ move: JourneyMoveResponse }>(`/api/contacts/${card.contactId}/journey`, "PUT", { stage: to, expectedStage: from });
          setToast({ text: `Moved ${card.name} to ${labels[to]}.`, undo: done.moveId ? { contactId: card.contactId, moveId: done.moveId, name: card.name } : undefined });
          return fetcher<JourneyBoard>(key);
        },
        { optimisticData: withMove(board, card, from, to), rollbackOnError: true, revalidate: false },
      );
    } catch (err) {
      setFailure(`${(err as Error).message} The card is back where it was.`);
      void mutate();
    }
  }

  async function undo(u: NonNullable<Toast["undo"]>) {
    setFailure(null);
    try {
      const { move: done } = await sendJson<{ move: JourneyMoveResponse }>(`/api/contacts/${u.contactId}/journey/undo`, "POST", { moveId: u.moveId });
      setToast({ text: done.to ? `${u.name} is back in ${labels[done.to]}.` : `${u.name} is off the board again.` });
    } catch (err) {
      setFailure((err as Error).message);
    }
    void mutate();
  }

  async function decide(s: JourneySuggestion, decision: "apply" | "dismiss") {
    setFailure(null);
    setToast(null);
    try {
      const { move: done } = await sendJson<{ move: JourneyMoveResponse | null }>(`/api/contacts/${s.contactId}/journey/suggestion`, "POST", { decision });
      setToast(
        done?.moveId
          ? { text: `Moved ${s.name} to ${labels[s.to]}, as the AI suggested.`, undo: { contactId: s.contactId, moveId: done.moveId, name: s.name } }
          : { text: decision === "dismiss" ? `Dismissed the suggestion for ${s.name}.` : `${s.name} is already in ${labels[s.to]}.` },
      );
    } catch (err) {
      setFailure((err as Error).message);
    }
    void mutate();
  }

  function applyFilter(definition: SegmentGroup | null) {
    const next = definition ? encodeFilter(definition) : null;
    setFilter(next);
    setFailure(null);
    router.replace(next ? `${pathname}?filter=${next}` : pathname, { scroll: false });
  }

  function onDragEnd(e: DragEndEvent) {
    const from = e.active.data.current?.from as JourneyStage | undefined;
    const card = e.active.data.current?.card as JourneyCard | undefined;
    const to = e.over?.id as JourneyStage | undefined;
    if (card && from && to) void move(card, from, to);
  }

  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Customer journey</h1>
        <p className="text-sm text-slate-600">
          {canMove ? "Drag a card, or use its Move to menu, to move a customer to another stage. Every move can be undone." : "Where each customer is, from awareness to retention."}
        </p>
      </div>

      <BoardFilters owners={owners} onApply={applyFilter} filtered={!!filter} />

      {failure && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 ring-1 ring-red-200">
          {failure}
        </p>
      )}
      {error && !failure && (
        <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200">
          The board could not be refreshed ({error.message}); it shows what was last loaded.
        </p>
      )}
      <div role="status" aria-live="polite" data-testid="journey-notice">
        {toast && (
          <p className="flex flex-wrap items-center gap-3 rounded-md bg-slate-900 px-3 py-2 text-sm text-white">
            <span>{toast.text}</span>
            {toast.undo && (
              <button type="button" className="font-semibold text-emerald-300 underline hover:text-emerald-200" onClick={() => void undo(toast.undo!)}>
                Undo
              </button>
            )}
          </p>
        )}
      </div>

      {board.suggestions.length > 0 && <Suggestions suggestions={board.suggestions} canDecide={canMove} onDecide={decide} labels={labels} />}

      {empty && (
        <p className="rounded-lg bg-white p-6 text-center text-sm text-slate-600 ring-1 ring-slate-200">
          {filter ? "No customer on the board matches this filter." : (
            <>
              No customers on the board yet. Open a <Link href="/contacts" className="text-brand-700 underline">contact</Link> and set their journey stage to place them here.
            </>
          )}
        </p>
      )}

      <DndContext sensors={sensors} onDragEnd={onDragEnd} accessibility={{ screenReaderInstructions: { draggable: "To move this customer, press space, use the arrow keys to reach another stage, and press space again. Escape cancels." } }}>
        <div className="relative -mx-4 overflow-x-auto px-4 pb-2 md:mx-0 md:px-0">
          <div className="flex gap-3" data-testid="journey-board">
            {board.columns.map((column, i) => (
              <Column key={column.stage} column={column} next={journeyStages[i + 1]} canMove={canMove} owners={owners} onMove={move} labels={labels} />
            ))}
          </div>
        </div>
      </DndContext>
    </div>
  );
}

function Column({
  column,
  next,
  canMove,
  owners,
  onMove,
  labels,
}: {
  labels: Labels;
  column: JourneyBoard["columns"][number];
  next: JourneyStage | undefined;
  canMove: boolean;
  owners: Owner[];
  onMove: (card: JourneyCard, from: JourneyStage, to: JourneyStage) => void;
}) {
  const { setNodeRef, isOver } = useDroppable({ id: column.stage, disabled: !canMove });
  const headingId = `stage-${column.stage}`;
  const ownerName = new Map(owners.map((o) => [o.id, o.name]));
  return (
    <section
      ref={setNodeRef}
      aria-labelledby={headingId}
      data-testid={`journey-column-${column.stage}`}
      className={`flex w-72 shrink-0 flex-col rounded-lg p-2 ring-1 ${isOver ? "bg-emerald-50 ring-brand-600" : "bg-slate-100 ring-slate-200"}`}
    >
      <header className="px-1 pb-2">
        <h2 id={headingId} className="flex items-baseline justify-between text-sm font-semibold">
          <span>{column.label}</span>
          <span className="tabular-nums text-slate-600" data-testid="journey-count">
            {column.count} {column.count === 1 ? "customer" : "customers"}
          </span>
        </h2>
        <p className="text-xs text-slate-600">
          {column.medianDaysInStage === null ? "No one here now" : `Typically ${dayCount(column.medianDaysInStage)} in this stage`}
          {next && column.conversionToNext !== null && (
            <>
              {" · "}
              <span title={`Of the ${column.reachedCount} who reached ${column.label}, how many went on to ${labels[next]}`}>
                {percent(column.conversionToNext)} went on to {labels[next]}
              </span>
            </>
          )}
        </p>
      </header>
      <ul className="flex min-h-24 flex-col gap-2" aria-label={`Customers in ${column.label}`}>
        {column.cards.map((card) => (
          <Card key={card.contactId} card={card} stage={column.stage} canMove={canMove} owner={card.ownerId ? ownerName.get(card.ownerId) : undefined} onMove={onMove} labels={labels} />
        ))}
      </ul>
      {column.count > column.cards.length && <p className="px-1 pt-2 text-xs text-slate-600">Showing the {column.cards.length} most recent of {column.count}.</p>}
    </section>
  );
}

function Card({
  card,
  stage,
  canMove,
  owner,
  onMove,
  labels,
}: {
  labels: Labels;
  card: JourneyCard;
  stage: JourneyStage;
  canMove: boolean;
  owner: string | undefined;
  onMove: (card: JourneyCard, from: JourneyStage, to: JourneyStage) => void;
}) {
  const { attributes, listeners, setNodeRef, transform, isDragging } = useDraggable({ id: card.contactId, data: { from: stage, card }, disabled: !canMove });
  const style = transform ? { transform: `translate3d(${transform.x}px, ${transform.y}px, 0)` } : undefined;
  return (
    <li
      ref={setNodeRef}
      style={style}
      data-testid="journey-card"
      data-contact-id={card.contactId}
      className={`rounded-md bg-white p-2 text-sm shadow-sm ring-1 ring-slate-200 ${isDragging ? "relative z-10 shadow-lg ring-brand-600" : ""}`}
    >
      <div className="flex items-start gap-2">
        {canMove && (
          <button
            type="button"
            className="mt-0.5 cursor-grab touch-none rounded px-1 text-slate-500 hover:bg-slate-100 active:cursor-grabbing"
            aria-label={`Drag ${card.name} to another stage`}
            {...attributes}
            {...listeners}
          >
            <svg aria-hidden="true" viewBox="0 0 10 16" width="10" height="16" fill="currentColor">
              <circle cx="2" cy="3" r="1.5" /><circle cx="8" cy="3" r="1.5" /><circle cx="2" cy="8" r="1.5" /><circle cx="8" cy="8" r="1.5" /><circle cx="2" cy="13" r="1.5" /><circle cx="8" cy="13" r="1.5" />
            </svg>
          </button>
        )}
        <div className="min-w-0 flex-1">
          <Link href={`/contacts/${card.contactId}`} className="block truncate font-medium text-slate-900 hover:underline">
            {card.name}
          </Link>
          <p className="text-xs text-slate-600">
            {card.leadScore !== null ? `Score ${Math.round(card.leadScore)}` : "Not scored yet"} · here {sinceDays(card.since) < 1 ? "since today" : `for ${dayCount(sinceDays(card.since))}`}
            {owner ? ` · ${owner}` : ""}
          </p>
          {card.tags.length > 0 && <p className="truncate text-xs text-slate-500">{card.tags.join(", ")}</p>}
        </div>
      </div>
      <div className="mt-2 flex items-center justify-between gap-2">
        {card.conversationId ? (
          <Link href={`/inbox/${card.conversationId}`} className="whitespace-nowrap text-xs text-brand-700 hover:underline">
            Open conversation
          </Link>
        ) : (
          <span className="text-xs text-slate-500">No conversation yet</span>
        )}
        {canMove && (
          <select
            value={stage}
            onChange={(e) => onMove(card, stage, e.target.value as JourneyStage)}
            className="rounded border border-slate-300 bg-white px-1 py-0.5 text-xs"
            aria-label={`Move ${card.name} to`}
          >
            {journeyStages.map((s) => (
              <option key={s} value={s}>
                {s === stage ? `In ${labels[s]}` : `Move to ${labels[s]}`}
              </option>
            ))}
          </select>
        )}
      </div>
    </li>
  );
}

/** The AI's stage moves it was not sure enough to make itself (Settings > General sets how sure). */
function Suggestions({ suggestions, canDecide, onDecide, labels }: { suggestions: JourneySuggestion[]; canDecide: boolean; onDecide: (s: JourneySuggestion, d: "apply" | "dismiss") => void; labels: Labels }) {
  return (
    <section aria-labelledby="suggestions-h" className="rounded-lg bg-violet-50 p-3 ring-1 ring-violet-200">
      <h2 id="suggestions-h" className="text-sm font-semibold text-violet-950">
        AI suggestions to review ({suggestions.length})
      </h2>
      <ul className="mt-2 space-y-2">
        {suggestions.map((s) => (
          <li key={s.contactId} className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm" data-testid="journey-suggestion">
            <span>
              <Link href={`/contacts/${s.contactId}`} className="font-medium hover:underline">
                {s.name}
              </Link>
              : {s.from ? labels[s.from] : "not on the board"} → <strong className="font-medium">{labels[s.to]}</strong>{" "}
              <span className="text-slate-600">({percent(s.confidence)} sure)</span>
            </span>
            <span className="text-xs text-slate-700">{s.reason}</span>
            {s.conversationId && (
              <Link href={`/inbox/${s.conversationId}`} className="text-xs text-brand-700 hover:underline">
                Conversation
              </Link>
            )}
            {canDecide && (
              <span className="flex gap-1">
                <Button type="button" variant="secondary" onClick={() => onDecide(s, "apply")} aria-label={`Apply: move ${s.name} to ${labels[s.to]}`}>
                  Apply
                </Button>
                <Button type="button" variant="ghost" onClick={() => onDecide(s, "dismiss")} aria-label={`Dismiss the suggestion for ${s.name}`}>
                  Dismiss
                </Button>
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Owner, tag and minimum score, compiled server-side by the one segment compiler. */
function BoardFilters({ owners, onApply, filtered }: { owners: Owner[]; onApply: (d: SegmentGroup | null) => void; filtered: boolean }) {
  const [owner, setOwner] = useState("");
  const [tag, setTag] = useState("");
  const [minScore, setMinScore] = useState("");
  const input = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";
  return (
    <form
      aria-label="Filter the board"
      className="flex flex-wrap items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        const conditions: SegmentCondition[] = [];
        if (owner) conditions.push({ field: "ownerId", op: "is_any_of", value: [owner] });
        if (tag.trim()) conditions.push({ field: "tags", op: "has_any", value: [tag.trim().toLowerCase()] });
        if (minScore !== "") conditions.push({ field: "leadScore", op: "at_least", value: Number(minScore) });
        onApply(conditions.length ? { match: "all", conditions } : null);
      }}
    >
      <label className="w-40 text-sm font-medium text-slate-700">
        Owner
        <select value={owner} onChange={(e) => setOwner(e.target.value)} className={input}>
          <option value="">Anyone</option>
          {owners.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
      </label>
      <label className="w-36 text-sm font-medium text-slate-700">
        Tag
        <input value={tag} onChange={(e) => setTag(e.target.value)} className={input} placeholder="vip" />
      </label>
      <label className="w-32 text-sm font-medium text-slate-700">
        Score at least
        <input type="number" min={0} max={100} value={minScore} onChange={(e) => setMinScore(e.target.value)} className={input} />
      </label>
      <Button type="submit" variant="secondary">
        Apply
      </Button>
      {filtered && (
        <Button
          type="button"
          variant="ghost"
          onClick={() => {
            setOwner("");
            setTag("");
            setMinScore("");
            onApply(null);
          }}
        >
          Clear
        </Button>
      )}
    </form>
  );
}
