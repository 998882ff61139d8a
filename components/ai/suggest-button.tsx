"use client";

import { useCallback, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { useDismiss } from "@/components/ui/use-dismiss";
import { sendJson } from "@/lib/swr/fetcher";
import { OfflineAiBadge } from "./offline-badge";

type Suggestions = { drafts: string[]; provider: "gemini" | "offline"; knowledge: { id: string; title: string }[] };

/**
 * "Suggest" for the inbox composer: three AI drafts grounded in the conversation and the knowledge
 * base; picking one hands its text to the composer (never sends). Mount:
 * <SuggestButton conversationId={id} onPick={(text) => setDraft(text)} />. The pop-up closes with
 * Escape, a click outside or focus leaving it; remount it (a `key`) to close it from outside.
 */
export function SuggestButton({ conversationId, onPick, disabled }: { conversationId: string; onPick: (text: string) => void; disabled?: boolean }) {
  const [state, setState] = useState<{ busy: boolean; result: Suggestions | null; error: string | null }>({ busy: false, result: null, error: null });
  const root = useRef<HTMLDivElement>(null);
  const open = !!(state.result || state.error);
  const close = useCallback(() => setState({ busy: false, result: null, error: null }), []);
  useDismiss(root, open, close);

  async function suggest() {
    setState({ busy: true, result: null, error: null });
    try {
      setState({ busy: false, result: await sendJson<Suggestions>(`/api/conversations/${conversationId}/suggestions`, "POST"), error: null });
    } catch (err) {
      setState({ busy: false, result: null, error: (err as Error).message });
    }
  }

  return (
    <div ref={root} className="relative">
      <Button type="button" variant="secondary" onClick={suggest} disabled={disabled || state.busy} aria-haspopup="listbox">
        {state.busy ? "Thinking…" : "Suggest"}
      </Button>
      {open && (
        <div role="dialog" aria-label="Suggested replies" className="absolute bottom-full left-0 z-10 mb-2 w-96 max-w-[90vw] space-y-2 rounded-lg bg-white p-3 shadow-lg ring-1 ring-slate-200">
          <div className="flex items-center justify-between">
            <span className="flex items-center gap-2 text-sm font-semibold">Suggested replies {state.result && <OfflineAiBadge provider={state.result.provider} />}</span>
            <Button type="button" variant="ghost" onClick={close} aria-label="Close suggestions">×</Button>
          </div>
          {state.error && <p role="alert" className="text-sm text-red-700">{state.error}</p>}
          {state.result && (
            <ul role="listbox" aria-label="Drafts" className="space-y-1">
              {state.result.drafts.map((d, i) => (
                <li key={i} role="option" aria-selected={false}>
                  <button
                    type="button"
                    data-testid={`suggestion-${i}`}
                    className="w-full rounded-md px-2 py-1.5 text-left text-sm hover:bg-slate-100"
                    onClick={() => {
                      onPick(d);
                      close();
                    }}
                  >
                    {d}
                  </button>
                </li>
              ))}
            </ul>
          )}
          {state.result && state.result.knowledge.length > 0 && (
            <p className="text-xs text-slate-500">From: {state.result.knowledge.map((k) => k.title).join(", ")}</p>
          )}
        </div>
      )}
    </div>
  );
}
