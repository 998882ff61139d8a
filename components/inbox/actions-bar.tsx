"use client";

import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { priorities } from "@/lib/schemas/conversation";
import type { AssigneeResponse, ConversationResponse } from "@/lib/schemas/inbox";
import type { InboxMe } from "./conversation-view";
import { statusLabel } from "./inbox-shell";

type Act = (path: string, method: "PUT" | "PATCH" | "POST", body?: unknown) => Promise<void>;

function snoozePresets(now = new Date()) {
  const tomorrow9 = new Date(now);
  tomorrow9.setDate(now.getDate() + 1);
  tomorrow9.setHours(9, 0, 0, 0);
  const nextMonday = new Date(now);
  nextMonday.setDate(now.getDate() + ((8 - now.getDay()) % 7 || 7));
  nextMonday.setHours(9, 0, 0, 0);
  return [
    { label: "1 hour", at: new Date(now.getTime() + 3600_000) },
    { label: "4 hours", at: new Date(now.getTime() + 4 * 3600_000) },
    { label: "Tomorrow 9:00", at: tomorrow9 },
    { label: "Next Monday 9:00", at: nextMonday },
  ];
}

/** Assign, status, snooze, priority, tags and the AI switch: every action by mouse, `a` and `e` by keyboard. */
export function ActionsBar({ conversation: c, assignees, me, act }: { conversation: ConversationResponse; assignees: AssigneeResponse[]; me: InboxMe; act: Act }) {
  const assignRef = useRef<HTMLSelectElement>(null);
  const [snoozeOpen, setSnoozeOpen] = useState(false);
  const [custom, setCustom] = useState("");
  const [tagDraft, setTagDraft] = useState("");

  useEffect(() => {
    const focusAssign = () => assignRef.current?.focus();
    window.addEventListener("inbox:assign", focusAssign);
    return () => window.removeEventListener("inbox:assign", focusAssign);
  }, []);

  const disabled = !me.canWrite;
  const live = c.status !== "resolved" && c.status !== "closed" && c.status !== "snoozed";
  const assignable = me.canAssignOthers ? assignees : assignees.filter((a) => a.id === me.id || a.id === c.assigneeId);

  return (
    <div role="toolbar" aria-label="Conversation actions" className="flex flex-wrap items-center gap-1.5 border-b border-slate-200 bg-white px-3 py-1.5 text-sm">
      <span className="rounded bg-slate-100 px-2 py-0.5 text-xs font-medium" data-testid="conversation-status">
        {statusLabel(c.status)}
        {c.status === "snoozed" && c.snoozedUntil ? ` until ${new Date(c.snoozedUntil).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}` : ""}
      </span>
      <label className="flex items-center gap-1">
        <span className="sr-only">Assignee</span>
        <select
          ref={assignRef}
          aria-label="Assignee (shortcut a)"
          value={c.assigneeId ?? ""}
          disabled={disabled}
          onChange={(e) => void act("/assignee", "PUT", { assigneeId: e.target.value || null })}
          className="rounded-md border border-slate-300 bg-white px-2 py-1"
          data-testid="assignee-select"
        >
          <option value="">Unassigned</option>
          {assignable.map((a) => (
            <option key={a.id} value={a.id}>
              {a.id === me.id ? `${a.name} (me)` : a.name}
              {a.availability !== "online" ? ` · ${a.availability}` : ""}
            </option>
          ))}
        </select>
      </label>
      {c.assigneeId !== me.id && me.canWrite && (c.assigneeId === null || me.canAssignOthers) && (
        <Button variant="secondary" onClick={() => void act("/assignee", "PUT", { assigneeId: "me" })}>
          Assign to me
        </Button>
      )}
      {live ? (
        <>
          <Button onClick={() => void act("/status", "PUT", { status: "resolved" })} disabled={disabled} title="Resolve (e)">
            Resolve
          </Button>
          {c.status !== "waiting" && (
            <Button variant="secondary" onClick={() => void act("/status", "PUT", { status: "waiting" })} disabled={disabled}>
              Waiting
            </Button>
          )}
        </>
      ) : (
        <Button variant="secondary" onClick={() => void act("/status", "PUT", { status: "open" })} disabled={disabled}>
          Reopen
        </Button>
      )}
      <div className="relative">
        <Button variant="secondary" onClick={() => setSnoozeOpen((o) => !o)} disabled={disabled} aria-expanded={snoozeOpen} aria-haspopup="menu">
          Snooze
        </Button>
        {snoozeOpen && (
          <div role="menu" aria-label="Snooze until" className="absolute left-0 top-full z-20 mt-1 w-56 rounded-md bg-white p-1 shadow-lg ring-1 ring-slate-200">
            {snoozePresets().map((p) => (
              <button
                key={p.label}
                type="button"
                role="menuitem"
                className="block w-full rounded px-2 py-1 text-left hover:bg-slate-100"
                onClick={() => (setSnoozeOpen(false), void act("/status", "PUT", { status: "snoozed", snoozedUntil: p.at.toISOString() }))}
              >
                {p.label}
              </button>
            ))}
            <form
              className="mt-1 flex gap-1 border-t border-slate-100 pt-1"
              onSubmit={(e) => {
                e.preventDefault();
                if (!custom) return;
                setSnoozeOpen(false);
                void act("/status", "PUT", { status: "snoozed", snoozedUntil: new Date(custom).toISOString() });
              }}
            >
              <label className="sr-only" htmlFor="snooze-custom">
                Snooze until a date and time
              </label>
              <input id="snooze-custom" type="datetime-local" value={custom} onChange={(e) => setCustom(e.target.value)} className="min-w-0 flex-1 rounded border border-slate-300 px-1 text-xs" />
              <Button type="submit" variant="secondary">
                Set
              </Button>
            </form>
          </div>
        )}
      </div>
      {c.status !== "closed" && (
        <Button variant="ghost" onClick={() => void act("/status", "PUT", { status: "closed" })} disabled={disabled}>
          Close
        </Button>
      )}
      <label className="flex items-center gap-1 text-xs text-slate-600">
        Priority
        <select
          value={c.priority}
          disabled={disabled}
          onChange={(e) => void act("", "PATCH", { priority: e.target.value })}
          className="rounded-md border border-slate-300 bg-white px-1.5 py-1 text-sm capitalize"
        >
          {priorities.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <ul aria-label="Tags" className="flex flex-wrap items-center gap-1">
        {c.tags.map((t) => (
          <li key={t} className="flex items-center gap-0.5 rounded-full bg-brand-50 px-2 py-0.5 text-xs text-brand-700">
            {t}
            {!disabled && (
              <button type="button" aria-label={`Remove tag ${t}`} onClick={() => void act("", "PATCH", { tags: c.tags.filter((x) => x !== t) })}>
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      {!disabled && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const t = tagDraft.trim().toLowerCase();
            if (t && !c.tags.includes(t)) void act("", "PATCH", { tags: [...c.tags, t] });
            setTagDraft("");
          }}
        >
          <label className="sr-only" htmlFor="tag-input">
            Add a tag
          </label>
          <input id="tag-input" value={tagDraft} onChange={(e) => setTagDraft(e.target.value)} placeholder="+ tag" maxLength={40} className="w-20 rounded border border-slate-300 px-1.5 py-0.5 text-xs" />
        </form>
      )}
      <label className="ml-auto flex items-center gap-1 text-xs text-slate-600">
        <input type="checkbox" checked={c.ai.enabled} disabled={disabled} onChange={(e) => void act("", "PATCH", { aiEnabled: e.target.checked })} />
        AI replies
      </label>
    </div>
  );
}
