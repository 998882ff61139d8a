"use client";

import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import type { MessagePage } from "@/lib/inbox/list-messages";
import { newIdempotencyKey, windowState } from "@/lib/inbox/format";
import type { ConversationResponse, MessageResponse, SendMessageBody } from "@/lib/schemas/inbox";
import { ApiClientError, sendJson } from "@/lib/swr/fetcher";
import { announce, useConversationActions } from "@/lib/swr/use-conversation-actions";
import { useAssignees } from "@/lib/swr/use-inbox-meta";
import { useConversation, useThread } from "@/lib/swr/use-thread";
import { ActionsBar } from "./actions-bar";
import { Composer } from "./composer";
import { ContactPanel } from "./contact-panel";
import { Thread, type Outgoing } from "./thread";

export type InboxMe = { id: string; name: string; canWrite: boolean; canAssignOthers: boolean; canEditContacts: boolean; canManageTickets: boolean };

const outboxKey = (id: string) => `inbox:outbox:${id}`;
function readOutbox(id: string): Outgoing[] {
  try {
    return JSON.parse(localStorage.getItem(outboxKey(id)) ?? "[]") as Outgoing[];
  } catch {
    return [];
  }
}

export function ConversationView({ initialConversation, initialPage, me }: { initialConversation: ConversationResponse; initialPage: MessagePage; me: InboxMe }) {
  const id = initialConversation.id;
  const { data, mutate } = useConversation(id, initialConversation);
  const conversation = data?.conversation ?? initialConversation;
  const { messages, hasOlder, loadOlder, upsert, refresh, live } = useThread(id, initialPage);
  const { data: team } = useAssignees();
  const assignees = team?.assignees ?? [];
  const names = new Map(assignees.map((a) => [a.id, a.name]));
  const [outbox, setOutbox] = useState<Outgoing[]>([]);
  const [panelOpen, setPanelOpen] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);

  const saveOutbox = useCallback(
    (update: (o: Outgoing[]) => Outgoing[]) =>
      setOutbox((prev) => {
        const next = update(prev);
        if (next.length) localStorage.setItem(outboxKey(id), JSON.stringify(next));
        else localStorage.removeItem(outboxKey(id));
        return next;
      }),
    [id],
  );

  const post = useCallback(
    async (o: Outgoing) => {
      saveOutbox((all) => all.map((x) => (x.clientKey === o.clientKey ? { ...x, state: "sending", error: undefined } : x)));
      try {
        const res = await sendJson<{ message: MessageResponse; conversation?: ConversationResponse }>(`/api/conversations/${id}/messages`, "POST", {
          idempotencyKey: o.clientKey,
          content: o.content,
        });
        upsert([res.message]);
        saveOutbox((all) => all.filter((x) => x.clientKey !== o.clientKey));
        // The reply assigned the conversation to the sender (autoAssignOnReply): header and list show it now.
        if (res.conversation) {
          void mutate({ conversation: res.conversation }, { revalidate: false });
          announce(res.conversation);
        }
        // Meta's ticks for the new message follow within a second or two: look now, not at the next tick.
        void refresh();
      } catch (err) {
        const error = err instanceof ApiClientError ? err.message : "Not sent: the connection failed. Retry when you are back online.";
        saveOutbox((all) => all.map((x) => (x.clientKey === o.clientKey ? { ...x, state: "failed", error } : x)));
      }
    },
    [id, saveOutbox, upsert, mutate, refresh],
  );

  // Replies typed before a reload that the API never confirmed go out again with the same key (never twice).
  useEffect(() => {
    const pending = readOutbox(id);
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the outbox lives in localStorage, an external store read when the conversation changes
    setOutbox(pending);
    for (const o of pending) if (o.state === "sending") void post(o);
  }, [id, post]);

  const send = useCallback(
    (content: SendMessageBody["content"], preview: string) => {
      const o: Outgoing = { clientKey: newIdempotencyKey(), content, preview, at: new Date().toISOString(), state: "sending" };
      saveOutbox((all) => [...all, o]);
      void post(o);
    },
    [post, saveOutbox],
  );

  const note = useCallback(
    async (text: string, mentions: string[]) => {
      const { message } = await sendJson<{ message: MessageResponse }>(`/api/conversations/${id}/notes`, "POST", { idempotencyKey: newIdempotencyKey(), text, mentions });
      upsert([message]);
    },
    [id, upsert],
  );

  async function retryServer(m: MessageResponse) {
    try {
      const { message } = await sendJson<{ message: MessageResponse }>(`/api/conversations/${id}/messages/${m.id}/retry`, "POST");
      upsert([message]);
    } catch (err) {
      setActionError((err as Error).message);
    }
  }

  const { act, error: refused } = useConversationActions(conversation, me.id, mutate);

  // Opening a conversation reads it: unread resets and WhatsApp shows blue ticks to the customer.
  const unread = conversation.unreadCount;
  useEffect(() => {
    if (!me.canWrite || unread === 0 || document.visibilityState !== "visible") return;
    void act("/read", "POST");
  }, [unread, me.canWrite, act]);

  // Keyboard shortcuts from the shell: e resolves.
  useEffect(() => {
    const resolve = () => me.canWrite && void act("/status", "PUT", { status: "resolved" });
    window.addEventListener("inbox:resolve", resolve);
    return () => window.removeEventListener("inbox:resolve", resolve);
  }, [act, me.canWrite]);

  const shown = new Set(messages.map((m) => m.clientKey).filter(Boolean));
  const locals = outbox.filter((o) => !shown.has(o.clientKey));
  const win = windowState(conversation.lastCustomerMessageAt);

  return (
    <div className="flex h-full min-w-0 flex-1">
      <section aria-label={`Conversation with ${conversation.contact.name ?? conversation.contact.phone ?? "customer"}`} className="flex min-w-0 flex-1 flex-col">
        <header className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-white px-3 py-2">
          <Link href="/inbox" className="rounded px-1 text-slate-500 hover:bg-slate-100 md:hidden" aria-label="Back to the list">
            ←
          </Link>
          <div className="min-w-0">
            <h1 className="truncate text-base font-semibold" data-testid="conversation-title">
              {conversation.contact.name ?? conversation.contact.phone ?? "Unknown customer"}
            </h1>
            <p className="text-xs text-slate-500">
              {conversation.contact.phone} · <span className={win.open ? "text-emerald-700" : "text-red-700"}>{win.open ? `window ${win.label}` : "window closed"}</span>
              {conversation.ai.handoverReason && <span className="ml-1 rounded bg-amber-100 px-1 text-amber-900">AI handover: {conversation.ai.handoverReason}</span>}
              {conversation.ai.confidence !== null && <span className="ml-1">AI confidence {Math.round(conversation.ai.confidence * 100)}%</span>}
            </p>
          </div>
          <button type="button" onClick={() => setPanelOpen((o) => !o)} aria-expanded={panelOpen} className="ml-auto rounded px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 xl:hidden">
            Contact
          </button>
        </header>
        <ActionsBar conversation={conversation} assignees={assignees} me={me} act={act} />
        {(refused ?? actionError) && (
          <p role="alert" className="bg-red-50 px-3 py-1 text-sm text-red-700" data-testid="action-error">
            {refused ?? actionError}
          </p>
        )}
        <Thread live={live} messages={messages} locals={locals} hasOlder={hasOlder} loadOlder={loadOlder} names={names} onRetryServer={retryServer} onRetryLocal={(o) => void post(o)} />
        {me.canWrite ? (
          <Composer conversation={conversation} assignees={assignees} onSend={send} onNote={note} />
        ) : (
          <p className="border-t border-slate-200 bg-slate-50 p-3 text-sm text-slate-600">You have read-only access to conversations.</p>
        )}
      </section>
      <ContactPanel contactId={conversation.contactId} conversationId={conversation.id} source={conversation.source} canEdit={me.canEditContacts} canAnalyse={me.canWrite} canManageTickets={me.canManageTickets} open={panelOpen} onClose={() => setPanelOpen(false)} />
    </div>
  );
}
