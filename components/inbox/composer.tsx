"use client";

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { SuggestButton } from "@/components/ai/suggest-button";
import { Button } from "@/components/ui/button";
import { useDismiss } from "@/components/ui/use-dismiss";
import { windowState } from "@/lib/inbox/format";
import type { AssigneeResponse, ConversationResponse, SendMessageBody } from "@/lib/schemas/inbox";
import { mediaProblem, mediaTypeFor } from "@/lib/whatsapp/media-limits";
import { sendForm } from "@/lib/swr/fetcher";
import { useCannedResponses } from "@/lib/swr/use-inbox-meta";
import { TemplatePicker } from "./template-picker";

const MAX = 4096;
const EMOJI = ["😀", "😂", "😊", "😍", "🙏", "👍", "👎", "👏", "🙌", "🎉", "❤️", "🔥", "✅", "❌", "⚠️", "📦", "🚚", "💳", "📞", "⏰", "🙂", "😉", "😢", "🤔"];
const ACCEPT = "image/jpeg,image/png,application/pdf,text/plain,application/msword,application/vnd.ms-excel,application/vnd.ms-powerpoint,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.openxmlformats-officedocument.presentationml.presentation";

export type ComposerSend = (content: SendMessageBody["content"], preview: string) => void;
export type ComposerNote = (text: string, mentions: string[]) => Promise<void>;

type Attachment = { fileId: string; type: "image" | "document"; filename: string; size: number };

const draftKey = (id: string, mode: string) => `inbox:draft:${id}:${mode}`;

/**
 * Reply (or internal note) box. Enter sends, Shift+Enter adds a line, "/" opens saved replies, "@"
 * mentions teammates in notes. What is typed is kept in localStorage per conversation until sent.
 * With the 24-hour window closed, free text is replaced by the approved templates. Its pop-ups
 * (saved replies, teammates, emoji, AI suggestions) close with Escape, a click outside, switching
 * between reply and note, and a change of the conversation's status (resolving it, say).
 */
export function Composer({
  conversation,
  assignees,
  onSend,
  onNote,
}: {
  conversation: ConversationResponse;
  assignees: AssigneeResponse[];
  onSend: ComposerSend;
  onNote: ComposerNote;
}) {
  const [mode, setMode] = useState<"reply" | "note">("reply");
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [attachment, setAttachment] = useState<Attachment | null>(null);
  const [uploading, setUploading] = useState(false);
  const [emojiOpen, setEmojiOpen] = useState(false);
  const [templatesOpen, setTemplatesOpen] = useState(false);
  const [pick, setPick] = useState(0);
  const [focused, setFocused] = useState(false);
  /** The text for which Escape closed the lists; typing on opens them again. */
  const [dismissedFor, setDismissedFor] = useState<string | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const emojiRef = useRef<HTMLDivElement>(null);
  const closeEmoji = useCallback(() => setEmojiOpen(false), []);
  useDismiss(emojiRef, emojiOpen, closeEmoji);
  const fileRef = useRef<HTMLInputElement>(null);
  const win = windowState(conversation.lastCustomerMessageAt);
  const closed = !win.open && mode === "reply";
  const { data: canned } = useCannedResponses();

  // Restore the draft of this conversation and mode (nothing typed is lost on reload).
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- drafts live in localStorage, an external store read when the conversation changes
    setText(localStorage.getItem(draftKey(conversation.id, mode)) ?? "");
  }, [conversation.id, mode]);
  useEffect(() => {
    if (text) localStorage.setItem(draftKey(conversation.id, mode), text);
    else localStorage.removeItem(draftKey(conversation.id, mode));
  }, [text, conversation.id, mode]);

  // "/" at the start opens saved replies; "@name" in a note opens teammates.
  const slash = /^\/(\S*)$/.exec(text);
  const mention = mode === "note" ? /(?:^|\s)@([\p{L}\d ]{0,20})$/u.exec(text) : null;
  const suggestions = useMemo(() => {
    // The lists belong to the text being typed: clicking or tabbing out of the box closes them.
    if (!focused || dismissedFor === text) return [];
    if (slash) {
      const q = slash[1]!.toLowerCase();
      return (canned?.cannedResponses ?? [])
        .filter((c) => c.shortcut.includes(q) || c.title.toLowerCase().includes(q))
        .slice(0, 8)
        .map((c) => ({ key: c.id, label: `/${c.shortcut}`, hint: c.title, insert: c.body }));
    }
    if (mention) {
      const q = mention[1]!.toLowerCase();
      return assignees
        .filter((a) => a.name.toLowerCase().startsWith(q))
        .slice(0, 6)
        .map((a) => ({ key: a.id, label: `@${a.name}`, hint: a.role, insert: null as string | null }));
    }
    return [];
  }, [focused, dismissedFor, text, slash, mention, canned, assignees]);

  // A new suggestion list starts at its first entry (adjusted during render, not in an effect).
  const [pickFor, setPickFor] = useState(suggestions.length);
  if (pickFor !== suggestions.length) {
    setPickFor(suggestions.length);
    setPick(0);
  }

  useEffect(() => {
    const focus = (e: Event) => {
      inputRef.current?.focus();
      if ((e as CustomEvent<{ slash?: boolean }>).detail?.slash) setText((t) => (t ? t : "/"));
    };
    window.addEventListener("inbox:focus-composer", focus);
    return () => window.removeEventListener("inbox:focus-composer", focus);
  }, []);

  function choose(i: number) {
    const s = suggestions[i];
    if (!s) return;
    if (s.insert !== null) setText(s.insert);
    else setText((t) => t.replace(/@([\p{L}\d ]{0,20})$/u, `${s.label} `));
    inputRef.current?.focus();
  }

  function insertAtCaret(s: string) {
    const el = inputRef.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    setText(text.slice(0, start) + s + text.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + s.length, start + s.length);
    });
  }

  async function submit() {
    setError(null);
    const body = text.trim();
    if (mode === "note") {
      if (!body) return setError("The note is empty");
      const mentions = assignees.filter((a) => body.includes(`@${a.name}`)).map((a) => a.id);
      try {
        await onNote(body, mentions);
        setText("");
      } catch (err) {
        setError((err as Error).message);
      }
      return;
    }
    if (closed) return setError("The 24-hour window is closed: send an approved template");
    if (attachment) {
      onSend(
        { type: attachment.type, fileId: attachment.fileId, caption: body || undefined, filename: attachment.type === "document" ? attachment.filename : undefined },
        body || attachment.filename,
      );
      setAttachment(null);
      setText("");
      return;
    }
    if (!body) return setError("The message is empty");
    if (body.length > MAX) return setError(`A WhatsApp message is at most ${MAX} characters`);
    onSend({ type: "text", text: body }, body);
    setText("");
  }

  async function upload(file: File) {
    setError(null);
    const type = mediaTypeFor(file.type);
    // Refused before upload: only what WhatsApp accepts, within its size limits.
    if (type !== "image" && type !== "document") return setError(`Attach a JPEG/PNG image or a PDF, text or Office document (got ${file.type || "an unknown type"})`);
    const problem = mediaProblem(type, file.type, file.size);
    if (problem) return setError(problem);
    setUploading(true);
    try {
      const form = new FormData();
      form.set("file", file);
      const data = await sendForm<{ fileId: string; filename: string; size: number }>("/api/media", form);
      setAttachment({ fileId: data.fileId, type, filename: data.filename, size: data.size });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setUploading(false);
    }
  }

  function onKeyDown(e: React.KeyboardEvent<HTMLTextAreaElement>) {
    if (suggestions.length) {
      if (e.key === "ArrowDown") return (e.preventDefault(), setPick((p) => (p + 1) % suggestions.length));
      if (e.key === "ArrowUp") return (e.preventDefault(), setPick((p) => (p - 1 + suggestions.length) % suggestions.length));
      if (e.key === "Enter" || e.key === "Tab") return (e.preventDefault(), choose(pick));
      if (e.key === "Escape") return (e.preventDefault(), setDismissedFor(text));
    }
    if (e.key === "Escape") return inputRef.current?.blur();
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void submit();
    }
  }

  const over = text.length > MAX;
  return (
    <section aria-label="Reply" className={`border-t p-2 ${mode === "note" ? "border-amber-300 bg-amber-50" : "border-slate-200 bg-white"}`}>
      <div role="tablist" aria-label="Message kind" className="mb-1 flex gap-1 text-xs">
        {(["reply", "note"] as const).map((m) => (
          <button
            key={m}
            role="tab"
            type="button"
            aria-selected={mode === m}
            onClick={() => setMode(m)}
            className={`rounded px-2 py-0.5 font-medium ${mode === m ? (m === "note" ? "bg-amber-200 text-amber-900" : "bg-emerald-100 text-emerald-800") : "text-slate-500 hover:bg-slate-100"}`}
          >
            {m === "reply" ? "Reply" : "Internal note"}
          </button>
        ))}
        <span className={`ml-auto self-center ${win.open ? "text-emerald-700" : "text-red-700"}`} data-testid="window-state">
          {win.open ? `24h window open · ${win.label}` : "24h window closed"}
        </span>
      </div>

      {closed ? (
        <div className="rounded-md bg-slate-50 p-2 text-sm ring-1 ring-slate-200" data-testid="window-closed">
          <p className="mb-2 text-slate-700">
            The customer has not written in the last 24 hours, so WhatsApp only allows an approved template. Their reply reopens the window.
          </p>
          <TemplatePicker onSend={onSend} />
        </div>
      ) : (
        <>
          {attachment && (
            <p className="mb-1 flex items-center gap-2 rounded bg-slate-100 px-2 py-1 text-xs">
              📎 {attachment.filename}
              <button type="button" className="ml-auto text-red-700" onClick={() => setAttachment(null)} aria-label="Remove attachment">
                ✕
              </button>
            </p>
          )}
          <div className="relative">
            {suggestions.length > 0 && (
              <ul role="listbox" aria-label={slash ? "Saved replies" : "Teammates"} className="absolute bottom-full left-0 z-20 mb-1 max-h-60 w-full overflow-auto rounded-md bg-white text-sm shadow-lg ring-1 ring-slate-200">
                {suggestions.map((s, i) => (
                  <li
                    key={s.key}
                    role="option"
                    aria-selected={i === pick}
                    onMouseDown={(e) => (e.preventDefault(), choose(i))}
                    className={`cursor-pointer px-3 py-1.5 ${i === pick ? "bg-brand-50" : ""}`}
                  >
                    <span className="font-medium">{s.label}</span> <span className="text-slate-500">{s.hint}</span>
                  </li>
                ))}
              </ul>
            )}
            {focused && dismissedFor !== text && slash && suggestions.length === 0 && (
              <p className="absolute bottom-full left-0 mb-1 rounded bg-white px-2 py-1 text-xs text-slate-500 shadow ring-1 ring-slate-200">No saved reply matches</p>
            )}
            <label htmlFor="composer-input" className="sr-only">
              {mode === "note" ? "Internal note (not sent to the customer)" : "Reply to the customer"}
            </label>
            <textarea
              id="composer-input"
              ref={inputRef}
              value={text}
              onChange={(e) => {
                setText(e.target.value);
                setDismissedFor(null);
              }}
              onKeyDown={onKeyDown}
              onFocus={() => setFocused(true)}
              onBlur={() => setFocused(false)}
              rows={3}
              placeholder={mode === "note" ? "Note for your team; @name mentions someone" : "Type a reply… / for saved replies, Enter sends, Shift+Enter for a new line"}
              className="block w-full resize-y rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus:border-brand-600"
              aria-invalid={over}
              aria-describedby="composer-count"
            />
          </div>
          <div className="mt-1 flex flex-wrap items-center gap-1">
            {mode === "reply" && (
              <>
                <input ref={fileRef} type="file" accept={ACCEPT} className="hidden" onChange={(e) => e.target.files?.[0] && void upload(e.target.files[0])} aria-label="Attach a file" />
                <Button variant="ghost" type="button" onClick={() => fileRef.current?.click()} disabled={uploading} aria-label="Attach an image or document">
                  {uploading ? "Uploading…" : "Attach"}
                </Button>
                <Button variant="ghost" type="button" onClick={() => setTemplatesOpen((o) => !o)} aria-expanded={templatesOpen}>
                  Template
                </Button>
              </>
            )}
            <div ref={emojiRef} className="relative">
              <Button variant="ghost" type="button" onClick={() => setEmojiOpen((o) => !o)} aria-expanded={emojiOpen} aria-haspopup="menu">
                Emoji
              </Button>
              {emojiOpen && (
                <div role="menu" aria-label="Emoji" className="absolute bottom-full left-0 z-20 mb-1 grid w-56 grid-cols-8 gap-0.5 rounded-md bg-white p-1 shadow-lg ring-1 ring-slate-200">
                  {EMOJI.map((e) => (
                    <button key={e} type="button" role="menuitem" className="rounded p-1 hover:bg-slate-100" onClick={() => (insertAtCaret(e), setEmojiOpen(false))}>
                      {e}
                    </button>
                  ))}
                </div>
              )}
            </div>
            <SuggestButton key={`${mode}:${conversation.status}`} conversationId={conversation.id} onPick={setText} />
            <span id="composer-count" className={`ml-auto text-xs ${over ? "font-semibold text-red-700" : "text-slate-500"}`}>
              {text.length.toLocaleString()} / {MAX.toLocaleString()}
            </span>
            <Button type="button" onClick={() => void submit()} disabled={over || uploading} variant={mode === "note" ? "secondary" : "primary"}>
              {mode === "note" ? "Add note" : "Send"}
            </Button>
          </div>
          {templatesOpen && mode === "reply" && (
            <div className="mt-2 rounded-md bg-slate-50 p-2 ring-1 ring-slate-200">
              <TemplatePicker onSend={(c, p) => (onSend(c, p), setTemplatesOpen(false))} />
            </div>
          )}
        </>
      )}
      {error && (
        <p role="alert" className="mt-1 text-xs text-red-700">
          {error}
        </p>
      )}
    </section>
  );
}
