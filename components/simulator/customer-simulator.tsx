"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import useSWR from "swr";
import { Button } from "@/components/ui/button";
import { ErrorText, TextField } from "@/components/ui/field";

type Customer = { waId: string; name: string; lastInboundAt: string | null; messages: number };
type ThreadItem = {
  wamid: string;
  from: "customer" | "business";
  type: string;
  text: string | null;
  mediaUrl: string | null;
  caption: string | null;
  buttons: { kind: "button_reply" | "list_reply" | "button"; id: string; title: string }[];
  status: string | null;
  errorCode: number | null;
  at: string;
};
type Outgoing =
  | { type: "text"; text: string }
  | { type: "image"; caption?: string; dataBase64?: string; mimeType?: string }
  | { type: "location"; latitude: number; longitude: number; name?: string; address?: string }
  | { type: "button_reply" | "list_reply" | "button"; id?: string; title?: string; text?: string; payload?: string; contextWamid?: string };

const DEFAULT_CUSTOMER = { waId: "14155550142", name: "Sim Customer" };

async function control<T>(url: string, init?: { method: "POST"; body: unknown }): Promise<T> {
  const res = await fetch(url, init ? { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(init.body) } : undefined);
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error((data as { error?: string } | null)?.error ?? `Simulator answered ${res.status}`);
  return data as T;
}

/** A phone-like screen for one simulated customer, polling the simulator for the business's replies. */
export function CustomerSimulator({ simulatorUrl, appUrl }: { simulatorUrl: string; appUrl: string }) {
  const [active, setActive] = useState<{ waId: string; name: string } | null>(null);
  const [draft, setDraft] = useState({ waId: DEFAULT_CUSTOMER.waId, name: DEFAULT_CUSTOMER.name });
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const bottom = useRef<HTMLDivElement>(null);

  const customers = useSWR<{ customers: Customer[] }>(`${simulatorUrl}/_sim/customers`, (u: string) => control(u), { refreshInterval: 3000 });
  const thread = useSWR<{ thread: ThreadItem[] }>(active ? `${simulatorUrl}/_sim/customers/${active.waId}/thread` : null, (u: string) => control(u), {
    refreshInterval: 1000,
  });
  const items = thread.data?.thread ?? [];

  useEffect(() => {
    bottom.current?.scrollIntoView?.({ block: "end" });
  }, [items.length]);

  async function openChat(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const { customer } = await control<{ customer: { waId: string; name: string } }>(`${simulatorUrl}/_sim/customers`, { method: "POST", body: draft });
      setActive(customer);
      await customers.mutate();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  const send = useCallback(
    async (message: Outgoing) => {
      if (!active) return;
      setSending(true);
      setError(null);
      try {
        const r = await control<{ wamid: string; status: number | null; error: string | null }>(`${simulatorUrl}/_sim/customers/${active.waId}/messages`, {
          method: "POST",
          body: { ...message, name: active.name },
        });
        if (r.error) setError(`The app's webhook did not accept the message (${r.error}). Is ${appUrl} running with the simulator's app secret?`);
        await thread.mutate();
      } catch (err) {
        setError(err instanceof Error ? err.message : String(err));
      } finally {
        setSending(false);
      }
    },
    [active, appUrl, simulatorUrl, thread],
  );

  async function sendText(e: React.FormEvent) {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    setText("");
    await send({ type: "text", text: body });
  }

  async function sendFile(file: File) {
    const buf = new Uint8Array(await file.arrayBuffer());
    let binary = "";
    for (let i = 0; i < buf.length; i += 0x8000) binary += String.fromCharCode(...buf.subarray(i, i + 0x8000));
    await send({ type: "image", dataBase64: btoa(binary), mimeType: file.type || "image/jpeg", caption: text.trim() || undefined });
    setText("");
  }

  function reply(item: ThreadItem, b: ThreadItem["buttons"][number]) {
    if (b.kind === "button") return send({ type: "button", text: b.title, payload: b.id, contextWamid: item.wamid });
    return send({ type: b.kind, id: b.id, title: b.title, contextWamid: item.wamid });
  }

  return (
    <main className="mx-auto grid max-w-5xl gap-6 p-6 md:grid-cols-[18rem_1fr]">
      <section className="space-y-4" aria-label="Customers">
        <div>
          <h1 className="text-lg font-semibold">Customer simulator</h1>
          <p className="text-xs text-slate-500">
            Plays a WhatsApp customer. Messages go to the app&apos;s webhook, signed like Meta&apos;s; replies appear on the phone.
          </p>
        </div>
        <form onSubmit={openChat} className="space-y-2 rounded-lg bg-white p-3 ring-1 ring-slate-200">
          <TextField label="Customer phone" value={draft.waId} onChange={(e) => setDraft({ ...draft, waId: e.target.value })} data-testid="sim-customer-phone" inputMode="tel" />
          <TextField label="Customer name" value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} data-testid="sim-customer-name" />
          <Button type="submit" className="w-full">
            Open chat
          </Button>
        </form>
        <ul className="divide-y divide-slate-100 rounded-lg bg-white ring-1 ring-slate-200" data-testid="sim-customers">
          {(customers.data?.customers ?? []).map((c) => (
            <li key={c.waId}>
              <button
                type="button"
                onClick={() => setActive({ waId: c.waId, name: c.name })}
                className={`w-full px-3 py-2 text-left hover:bg-slate-50 ${active?.waId === c.waId ? "bg-emerald-50" : ""}`}
              >
                <span className="block font-medium">{c.name}</span>
                <span className="block text-xs text-slate-500">+{c.waId}</span>
              </button>
            </li>
          ))}
        </ul>
        {customers.error && <ErrorText>Cannot reach the Graph API simulator at {simulatorUrl}.</ErrorText>}
      </section>

      <section aria-label="Phone" className="mx-auto flex h-[42rem] w-full max-w-sm flex-col overflow-hidden rounded-[2rem] border-8 border-slate-800 bg-[#efeae2] shadow-xl">
        <header className="bg-[#075e54] px-4 py-3 text-white">
          <p className="font-semibold" data-testid="sim-active-customer">
            {active ? `${active.name} (+${active.waId})` : "No chat open"}
          </p>
          <p className="text-xs text-emerald-100">chatting with the business</p>
        </header>
        <ol className="flex-1 space-y-2 overflow-y-auto p-3" data-testid="sim-thread" aria-live="polite">
          {items.map((m) => (
            <li
              key={m.wamid}
              data-testid="sim-message"
              data-from={m.from}
              data-type={m.type}
              className={`max-w-[80%] rounded-lg px-3 py-2 shadow-sm ${m.from === "customer" ? "ml-auto bg-[#d9fdd3]" : "mr-auto bg-white"}`}
            >
              {m.mediaUrl && m.type !== "document" && (
                // eslint-disable-next-line @next/next/no-img-element -- the simulator's own URL, not an optimisable asset
                <img src={m.mediaUrl} alt={m.caption ?? "image"} className="mb-1 max-h-48 rounded" data-testid="sim-image" />
              )}
              {m.mediaUrl && m.type === "document" && (
                <a href={m.mediaUrl} className="text-emerald-700 underline">
                  {m.text ?? "document"}
                </a>
              )}
              {m.text && m.type !== "document" && <p className="whitespace-pre-wrap break-words">{m.text}</p>}
              {m.buttons.length > 0 && (
                <div className="mt-2 flex flex-col gap-1 border-t border-slate-100 pt-2">
                  {m.buttons.map((b) => (
                    <button
                      key={b.id}
                      type="button"
                      onClick={() => reply(m, b)}
                      disabled={sending}
                      className="rounded bg-slate-50 px-2 py-1 text-sm font-medium text-sky-700 hover:bg-slate-100"
                    >
                      {b.title}
                    </button>
                  ))}
                </div>
              )}
              <p className="mt-1 text-right text-[10px] text-slate-500">
                {new Date(m.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}
                {m.from === "business" && m.errorCode ? ` · failed (${m.errorCode})` : ""}
              </p>
            </li>
          ))}
          <div ref={bottom} />
        </ol>
        {error && (
          <p role="alert" data-testid="sim-error" className="bg-red-50 px-3 py-2 text-xs text-red-700">
            {error}
          </p>
        )}
        <div className="flex gap-1 bg-[#f0f2f5] px-2 pt-2">
          <Button type="button" variant="secondary" disabled={!active || sending} onClick={() => send({ type: "image", caption: text.trim() || undefined }).then(() => setText(""))}>
            Send photo
          </Button>
          <Button type="button" variant="secondary" disabled={!active || sending} onClick={() => fileInput.current?.click()}>
            Attach…
          </Button>
          <Button
            type="button"
            variant="secondary"
            disabled={!active || sending}
            onClick={() => send({ type: "location", latitude: 37.7955, longitude: -122.3937, name: "Ferry Building", address: "1 Ferry Building, San Francisco, CA" })}
          >
            Send location
          </Button>
          <input
            ref={fileInput}
            type="file"
            accept="image/jpeg,image/png"
            aria-label="Image file"
            className="hidden"
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = "";
              if (f) void sendFile(f);
            }}
          />
        </div>
        <form onSubmit={sendText} className="flex gap-2 bg-[#f0f2f5] p-2">
          <input
            aria-label="Message"
            data-testid="sim-text-input"
            value={text}
            onChange={(e) => setText(e.target.value)}
            disabled={!active}
            placeholder={active ? "Type a message" : "Open a chat first"}
            className="flex-1 rounded-full border-0 bg-white px-4 py-2 text-sm"
          />
          <Button type="submit" disabled={!active || sending || !text.trim()} className="rounded-full">
            Send
          </Button>
        </form>
      </section>
    </main>
  );
}
