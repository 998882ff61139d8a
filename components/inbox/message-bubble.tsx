"use client";

import { useId, useState } from "react";
import { OfflineAiBadge } from "@/components/ai/offline-badge";
import { Dialog } from "@/components/ui/dialog";
import { clockTime, fileSize } from "@/lib/inbox/format";
import type { MessageResponse } from "@/lib/schemas/inbox";
import { StatusIcon } from "./status-icon";

type Props = {
  message: MessageResponse;
  senderName: string | null;
  onRetry?: () => void;
  /** Local optimistic state: "sending" before the API answered, or the API's refusal. */
  local?: { state: "sending" } | { state: "failed"; error: string };
};

const mediaUrl = (fileId: string) => `/api/media/${fileId}`;

/** One message of the thread, every WhatsApp type readable. */
export function MessageBubble({ message: m, senderName, onRetry, local }: Props) {
  if (m.type === "system") return <SystemLine m={m} />;
  if (m.type === "reaction") return <ReactionLine m={m} />;
  const outbound = m.direction === "outbound";
  const note = m.type === "note";
  const tone = note
    ? "bg-amber-50 ring-1 ring-amber-300"
    : outbound
      ? m.sender === "ai"
        ? "bg-violet-50 ring-1 ring-violet-200"
        : "bg-emerald-50 ring-1 ring-emerald-200"
      : "bg-white ring-1 ring-slate-200";
  return (
    <div className={`flex ${outbound ? "justify-end" : "justify-start"}`} data-testid="message" data-message-type={m.type} data-message-id={m.id}>
      <article
        aria-label={`${note ? "Internal note" : outbound ? "Sent" : "Received"} message${senderName ? ` from ${senderName}` : ""}`}
        className={`relative max-w-[85%] rounded-lg px-3 py-2 text-sm shadow-sm md:max-w-[70%] ${tone} ${m.revokedAt ? "opacity-70" : ""}`}
      >
        <header className="mb-0.5 flex flex-wrap items-center gap-x-2 text-xs text-slate-600">
          {note && <span className="font-semibold uppercase tracking-wide text-amber-700">Internal note · not sent</span>}
          {outbound && !note && <span className="font-medium">{m.sender === "ai" ? "AI" : (senderName ?? (m.sender === "agent" ? "Agent" : "System"))}</span>}
          {m.aiProvider && <OfflineAiBadge provider={m.aiProvider} />}
          {note && senderName && <span className="font-medium">{senderName}</span>}
          {m.forwarded !== "no" && <span className="italic">{m.forwarded === "frequently" ? "Forwarded many times" : "Forwarded"}</span>}
        </header>
        {m.replyTo && (
          <blockquote className="mb-1 border-l-4 border-emerald-400 bg-black/5 px-2 py-1 text-xs text-slate-600">
            <span className="block font-medium">{m.replyTo.sender === "customer" ? "Customer" : m.replyTo.sender ? "You" : "Quoted message"}</span>
            <span className="line-clamp-2">{m.replyTo.preview ?? "A message not loaded here"}</span>
          </blockquote>
        )}
        {m.revokedAt ? (
          <p className="italic text-slate-500">
            The customer deleted this message.
            {m.text && <span className="mt-1 block text-slate-400 line-through">{m.text}</span>}
          </p>
        ) : (
          <Body m={m} />
        )}
        {m.edited && !m.revokedAt && (
          <p className="mt-1 text-xs text-slate-500">
            Edited {clockTime(m.edited.at)}
            {m.text && m.edited.text !== m.text && <span className="block line-through">Before: {m.text}</span>}
          </p>
        )}
        <footer className="mt-1 flex items-center justify-end gap-1 text-[11px] text-slate-600">
          <time dateTime={m.sentAt}>{clockTime(m.sentAt)}</time>
          {outbound && !note && <Ticks m={m} local={local} />}
        </footer>
        {(local?.state === "failed" || m.status === "failed") && onRetry && (
          <button type="button" onClick={onRetry} className="mt-1 rounded bg-red-600 px-2 py-0.5 text-xs font-medium text-white hover:bg-red-700">
            Retry
          </button>
        )}
        {m.reactions.length > 0 && (
          <ul aria-label="Reactions" className="absolute -bottom-3 right-2 flex gap-0.5">
            {m.reactions.map((r, i) => (
              <li key={i} title={r.by === "customer" ? "Customer reacted" : "You reacted"} className="rounded-full bg-white px-1 text-xs shadow ring-1 ring-slate-200">
                {r.emoji}
              </li>
            ))}
          </ul>
        )}
      </article>
    </div>
  );
}

function SystemLine({ m }: { m: MessageResponse }) {
  const handover = m.payload?.event === "ai_handover";
  return (
    <div className="flex justify-center" data-testid="message" data-message-type="system">
      <p role="note" className={`rounded-full px-3 py-1 text-center text-xs ${handover ? "bg-amber-100 text-amber-900" : "bg-slate-100 text-slate-600"}`}>
        {m.text} · <time dateTime={m.sentAt}>{clockTime(m.sentAt)}</time>
      </p>
    </div>
  );
}

function ReactionLine({ m }: { m: MessageResponse }) {
  const who = m.direction === "inbound" ? "The customer" : "You";
  return (
    <div className="flex justify-center" data-testid="message" data-message-type="reaction">
      <p className="text-xs text-slate-500">
        {who} {m.text ? `reacted ${m.text}` : "removed a reaction"}
        {m.replyTo?.preview ? ` to “${m.replyTo.preview.slice(0, 60)}”` : ""} · {clockTime(m.sentAt)}
      </p>
    </div>
  );
}

function Ticks({ m, local }: { m: MessageResponse; local?: Props["local"] }) {
  const tipId = useId();
  if (local?.state === "sending") {
    return (
      <span data-testid="tick" data-status="pending" className="inline-flex">
        <StatusIcon status="pending" />
      </span>
    );
  }
  if (local?.state === "failed" || m.status === "failed") {
    const reason = local?.state === "failed" ? local.error : m.error ? `${m.error.title ?? "Failed"} (code ${m.error.code})${m.error.details ? `: ${m.error.details}` : ""}` : "Not delivered";
    return (
      <span className="group relative">
        <button type="button" aria-describedby={tipId} className="inline-flex items-center gap-0.5 font-semibold text-red-600 focus:outline-2" data-testid="tick-failed">
          <StatusIcon status="failed" label="Not delivered" /> Failed
        </button>
        <span id={tipId} role="tooltip" className="invisible absolute bottom-5 right-0 z-10 w-64 rounded bg-slate-900 p-2 text-left text-xs text-white group-focus-within:visible group-hover:visible">
          {reason}
        </span>
      </span>
    );
  }
  const status = m.status ?? "pending";
  return (
    <span data-testid="tick" data-status={status} className="inline-flex">
      <StatusIcon status={status} />
    </span>
  );
}

function Body({ m }: { m: MessageResponse }) {
  const p = (m.payload ?? {}) as Record<string, unknown>;
  switch (m.type) {
    case "text":
    case "note":
      return <p className="whitespace-pre-wrap break-words">{highlightMentions(m.text ?? "", p.mentions)}</p>;
    case "image":
    case "sticker":
      return <ImageBody m={m} />;
    case "audio":
      return (
        <MediaFrame m={m} noun={m.media?.voice ? "voice message" : "audio"}>
          {(src) => (
            <div>
              {m.media?.voice && <span className="mb-1 block text-xs text-slate-500">Voice message</span>}
              <audio controls preload="none" src={src} className="w-64 max-w-full" aria-label={m.media?.voice ? "Voice message" : "Audio"} />
            </div>
          )}
        </MediaFrame>
      );
    case "video":
      return (
        <MediaFrame m={m} noun="video">
          {(src) => <video controls preload="metadata" src={src} className="max-h-72 max-w-full rounded" aria-label={m.media?.caption ?? "Video"} />}
        </MediaFrame>
      );
    case "document":
      return (
        <MediaFrame m={m} noun="document" caption={false}>
          {(src) => (
            <a href={src} download={m.media?.filename ?? undefined} className="flex items-center gap-2 rounded bg-black/5 px-2 py-1.5 hover:bg-black/10">
              <span aria-hidden>📄</span>
              <span className="min-w-0">
                <span className="block truncate font-medium">{m.media?.filename ?? "Document"}</span>
                <span className="text-xs text-slate-500">{[m.media?.mimeType, fileSize(m.media?.size ?? null)].filter(Boolean).join(" · ")}</span>
              </span>
            </a>
          )}
        </MediaFrame>
      );
    case "location": {
      const lat = Number(p.latitude);
      const lng = Number(p.longitude);
      return (
        <div>
          <p className="font-medium">📍 {String(p.name ?? "Location")}</p>
          {typeof p.address === "string" && <p className="text-slate-600">{p.address}</p>}
          <p className="text-xs text-slate-500">
            {lat.toFixed(5)}, {lng.toFixed(5)} ·{" "}
            <a className="text-brand-700 underline" target="_blank" rel="noreferrer" href={`https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=16/${lat}/${lng}`}>
              Open map
            </a>
          </p>
        </div>
      );
    }
    case "contacts": {
      const cards = (p.contacts as { name?: { formatted_name?: string }; phones?: { phone?: string; type?: string }[]; emails?: { email?: string }[]; org?: { company?: string } }[] | undefined) ?? [];
      return (
        <ul className="space-y-1">
          {cards.map((c, i) => (
            <li key={i} className="rounded bg-black/5 px-2 py-1">
              <span className="block font-medium">👤 {c.name?.formatted_name ?? "Contact"}</span>
              {c.org?.company && <span className="block text-xs">{c.org.company}</span>}
              {c.phones?.map((ph, j) => (
                <span key={j} className="block text-xs">
                  {ph.type ? `${ph.type.toLowerCase()}: ` : ""}
                  {ph.phone}
                </span>
              ))}
              {c.emails?.map((e, j) => <span key={j} className="block text-xs">{e.email}</span>)}
            </li>
          ))}
          {cards.length === 0 && <li>{m.text ?? "Shared contact"}</li>}
        </ul>
      );
    }
    case "interactive": {
      if (m.direction === "inbound") {
        const reply = (p.button_reply ?? p.list_reply ?? p.nfm_reply) as { title?: string; description?: string; id?: string } | undefined;
        return (
          <p>
            <span className="text-xs text-slate-500">{p.type === "list_reply" ? "Chose from the list" : "Tapped a button"}: </span>
            <span className="font-medium">{reply?.title ?? m.text}</span>
            {reply?.description && <span className="block text-xs text-slate-500">{reply.description}</span>}
          </p>
        );
      }
      const action = (p.action ?? {}) as { buttons?: { reply?: { title?: string } }[]; button?: string; sections?: { rows?: { title?: string }[] }[] };
      const options = action.buttons?.map((b) => b.reply?.title) ?? action.sections?.flatMap((s) => s.rows?.map((r) => r.title) ?? []) ?? [];
      return (
        <div>
          <p className="whitespace-pre-wrap">{m.text}</p>
          {options.length > 0 && (
            <ul className="mt-1 flex flex-wrap gap-1">
              {options.map((o, i) => (
                <li key={i} className="rounded border border-emerald-300 px-2 py-0.5 text-xs text-emerald-800">
                  {o}
                </li>
              ))}
            </ul>
          )}
        </div>
      );
    }
    case "button":
      return (
        <p>
          <span className="text-xs text-slate-500">Tapped: </span>
          <span className="font-medium">{String(p.text ?? m.text ?? "")}</span>
        </p>
      );
    case "order": {
      const items = (p.product_items as { product_retailer_id?: string; quantity?: number; item_price?: number; currency?: string }[] | undefined) ?? [];
      const total = items.reduce((s, i) => s + (i.item_price ?? 0) * (i.quantity ?? 1), 0);
      return (
        <div>
          <p className="font-medium">🛒 Order ({items.length} {items.length === 1 ? "item" : "items"})</p>
          <ul className="text-xs">
            {items.map((i, k) => (
              <li key={k}>
                {i.quantity} × {i.product_retailer_id} @ {i.item_price} {i.currency}
              </li>
            ))}
          </ul>
          {items.length > 0 && <p className="text-xs font-medium">Total {total.toFixed(2)} {items[0]?.currency}</p>}
        </div>
      );
    }
    case "template":
      return (
        <div>
          <p className="mb-0.5 text-xs text-slate-500">
            Template {String(p.name ?? "")}
            {typeof p.language === "object" && p.language ? ` (${String((p.language as { code?: string }).code ?? "")})` : ""}
          </p>
          <p className="whitespace-pre-wrap">{m.text}</p>
        </div>
      );
    case "unsupported": {
      const err = (p.errors as { code?: number; title?: string; message?: string }[] | undefined)?.[0];
      return (
        <p className="text-slate-600">
          <span className="font-medium">This message type can’t be shown.</span> WhatsApp did not pass its content to the business API
          {err ? ` (code ${err.code}: ${err.title ?? err.message})` : ""}. Ask the customer to send it as text, a photo or a document.
        </p>
      );
    }
    default:
      return <p className="whitespace-pre-wrap">{m.text}</p>;
  }
}

function MediaFrame({ m, noun, caption = true, children }: { m: MessageResponse; noun: string; caption?: boolean; children: (src: string) => React.ReactNode }) {
  const media = m.media;
  let inner: React.ReactNode;
  if (media?.fileId) inner = children(mediaUrl(media.fileId));
  else if (media?.download === "failed") inner = <p className="text-red-700">The {noun} could not be downloaded{media.downloadError ? `: ${media.downloadError}` : ""}.</p>;
  else if (media?.download === "pending") inner = <p className="text-slate-500">Downloading the {noun}…</p>;
  else inner = <p className="text-slate-500">The {noun} is not stored{media?.filename ? ` (${media.filename})` : ""}.</p>;
  return (
    <div>
      {inner}
      {caption && media?.caption && <p className="mt-1 whitespace-pre-wrap">{media.caption}</p>}
    </div>
  );
}

function ImageBody({ m }: { m: MessageResponse }) {
  const [open, setOpen] = useState(false);
  const alt = m.media?.caption ?? (m.type === "sticker" ? "Sticker" : "Image from the conversation");
  return (
    <MediaFrame m={m} noun={m.type === "sticker" ? "sticker" : "image"}>
      {(src) => (
        <>
          <button type="button" onClick={() => setOpen(true)} className="block" aria-label={`Open ${m.type} full size`}>
            {/* eslint-disable-next-line @next/next/no-img-element -- authenticated media route, not a static asset */}
            <img src={src} alt={alt} loading="lazy" className={m.type === "sticker" ? "h-32 w-32 object-contain" : "max-h-64 max-w-full rounded object-cover"} />
          </button>
          <Dialog open={open} onClose={() => setOpen(false)} title={m.media?.caption ?? "Image"}>
            {/* eslint-disable-next-line @next/next/no-img-element -- same authenticated media */}
            <img src={src} alt={alt} className="max-h-[75vh] w-full object-contain" />
            <div className="mt-3 flex justify-between">
              <a href={src} download className="text-sm text-brand-700 underline">
                Download
              </a>
              <button type="button" className="text-sm" onClick={() => setOpen(false)}>
                Close
              </button>
            </div>
          </Dialog>
        </>
      )}
    </MediaFrame>
  );
}

function highlightMentions(text: string, mentions: unknown): React.ReactNode {
  const names = Array.isArray(mentions) ? (mentions as { name?: string }[]).map((x) => x.name).filter((n): n is string => !!n) : [];
  if (names.length === 0) return text;
  const pattern = new RegExp(`(@(?:${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")}))`, "g");
  return text.split(pattern).map((part, i) =>
    part.startsWith("@") && names.includes(part.slice(1)) ? (
      <mark key={i} className="rounded bg-amber-200 px-0.5">
        {part}
      </mark>
    ) : (
      part
    ),
  );
}
