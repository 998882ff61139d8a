"use client";

import { Fragment, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { dayLabel } from "@/lib/inbox/format";
import type { MessageResponse, SendMessageBody } from "@/lib/schemas/inbox";
import { MessageBubble } from "./message-bubble";

/** A reply the API has not confirmed yet, kept in localStorage until it has (reload-safe, idempotent resend). */
export type Outgoing = { clientKey: string; content: SendMessageBody["content"]; preview: string; at: string; state: "sending" | "failed"; error?: string };

/** Within this many pixels of the end counts as "at the bottom" (reading the newest message). */
const NEAR_BOTTOM_PX = 80;

/**
 * The messages of one conversation, oldest first. At (or near) the bottom it follows what arrives,
 * also when a photo or video finishes loading and grows the thread; scrolled up to read older
 * messages it stays put and offers "New messages ↓" instead. Scrolling to the top loads older ones.
 * While the live updates cannot reach the server it says so, so nobody trusts a stale thread.
 */
export function Thread({
  live = true,
  messages,
  locals,
  hasOlder,
  loadOlder,
  names,
  onRetryServer,
  onRetryLocal,
}: {
  live?: boolean;
  messages: MessageResponse[];
  locals: Outgoing[];
  hasOlder: boolean;
  loadOlder: () => Promise<number>;
  names: Map<string, string>;
  onRetryServer: (m: MessageResponse) => void;
  onRetryLocal: (o: Outgoing) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const top = useRef<HTMLDivElement>(null);
  const restore = useRef<number | null>(null);
  const stick = useRef(true);
  const shownNewest = useRef<string | null>(null);
  const [atBottom, setAtBottom] = useState(true);
  const [unseen, setUnseen] = useState(0);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const count = messages.length + locals.length;
  const ownSend = locals.at(-1)?.clientKey ?? null;
  const newest = ownSend ?? messages.at(-1)?.id ?? null;

  // A new last message while the agent reads further up: count it for the button (adjusted during render).
  const [countedNewest, setCountedNewest] = useState(newest);
  if (countedNewest !== newest) {
    setCountedNewest(newest);
    if (!atBottom && newest !== ownSend) setUnseen((n) => n + 1);
  }

  const toBottom = useCallback((smooth = false) => {
    const el = scroller.current;
    if (el) el.scrollTo({ top: el.scrollHeight, behavior: smooth ? "smooth" : "instant" });
  }, []);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (restore.current !== null) {
      // Older messages were prepended: keep what the user was looking at in place.
      el.scrollTop = el.scrollHeight - restore.current;
      restore.current = null;
    } else if (shownNewest.current !== newest && (stick.current || newest === ownSend)) {
      // Following the conversation, or the agent's own reply: show the newest message.
      toBottom();
    }
    shownNewest.current = newest;
  }, [count, newest, ownSend, toBottom]);

  // Images, videos and documents load after their bubble is laid out: keep following at the bottom.
  useEffect(() => {
    const el = content.current;
    if (!el) return;
    const ro = new ResizeObserver(() => stick.current && toBottom());
    ro.observe(el);
    return () => ro.disconnect();
  }, [toBottom]);

  const older = useCallback(async () => {
    const el = scroller.current;
    if (!el || loadingOlder) return;
    setLoadingOlder(true);
    restore.current = el.scrollHeight - el.scrollTop;
    try {
      if ((await loadOlder()) === 0) restore.current = null;
    } finally {
      setLoadingOlder(false);
    }
  }, [loadOlder, loadingOlder]);

  useEffect(() => {
    const el = top.current;
    if (!el || !hasOlder) return;
    const io = new IntersectionObserver((entries) => entries[0]?.isIntersecting && void older(), { root: scroller.current, rootMargin: "200px 0px 0px 0px" });
    io.observe(el);
    return () => io.disconnect();
  }, [hasOlder, older]);

  return (
    <div className="relative flex min-h-0 flex-1 flex-col">
      {!live && (
        <p role="status" className="bg-amber-50 px-3 py-1 text-xs text-amber-900">
          Connection lost: retrying every few seconds. New messages and ticks appear when it is back.
        </p>
      )}
      <div
        ref={scroller}
        onScroll={(e) => {
          const el = e.currentTarget;
          const near = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
          stick.current = near;
          setAtBottom(near);
          if (near) setUnseen(0);
        }}
        role="log"
        aria-label="Messages"
        aria-live="polite"
        className="flex-1 overflow-y-auto bg-slate-50 px-3 py-3"
        data-testid="thread"
      >
        <div ref={content} className="space-y-3">
          <div ref={top} />
          {hasOlder && (
            <div className="text-center">
              <button type="button" onClick={() => void older()} className="text-xs text-brand-700 underline" disabled={loadingOlder}>
                {loadingOlder ? "Loading older messages…" : "Load older messages"}
              </button>
            </div>
          )}
          {messages.map((m, i) => {
            const day = dayLabel(m.sentAt);
            const sep = i === 0 || day !== dayLabel(messages[i - 1]!.sentAt);
            return (
              <Fragment key={m.id}>
                {sep && <DaySeparator label={day} />}
                <MessageBubble message={m} senderName={m.senderUserId ? (names.get(m.senderUserId) ?? null) : null} onRetry={m.status === "failed" ? () => onRetryServer(m) : undefined} />
              </Fragment>
            );
          })}
          {locals.map((o) => (
            <MessageBubble
              key={o.clientKey}
              message={localMessage(o)}
              senderName="You"
              local={o.state === "failed" ? { state: "failed", error: o.error ?? "Not sent" } : { state: "sending" }}
              onRetry={o.state === "failed" ? () => onRetryLocal(o) : undefined}
            />
          ))}
        </div>
      </div>
      {unseen > 0 && (
        <button
          type="button"
          onClick={() => {
            setUnseen(0);
            toBottom(true);
          }}
          className="absolute bottom-3 left-1/2 -translate-x-1/2 rounded-full bg-brand-600 px-3 py-1 text-xs font-medium text-white shadow-lg hover:bg-brand-700 focus:outline-2 focus:outline-offset-2"
        >
          New messages ↓
        </button>
      )}
    </div>
  );
}

function DaySeparator({ label }: { label: string }) {
  return (
    <div role="separator" aria-label={label} className="flex items-center gap-2 py-1 text-xs text-slate-500">
      <span className="h-px flex-1 bg-slate-200" />
      {label}
      <span className="h-px flex-1 bg-slate-200" />
    </div>
  );
}

function localMessage(o: Outgoing): MessageResponse {
  return {
    id: o.clientKey,
    conversationId: "",
    clientKey: o.clientKey,
    waMessageId: null,
    direction: "outbound",
    sender: "agent",
    senderUserId: null,
    type: o.content.type === "template" ? "template" : "text",
    text: o.preview,
    payload: o.content.type === "template" ? { name: o.content.template.name } : null,
    media: null,
    replyTo: null,
    reactions: [],
    edited: null,
    revokedAt: null,
    forwarded: "no",
    status: "pending",
    error: null,
    sentAt: o.at,
    updatedAt: o.at,
  };
}
