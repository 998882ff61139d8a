"use client";

import Link from "next/link";
import { useState } from "react";
import useSWR from "swr";
import { ConversationInsights } from "@/components/ai/conversation-insights";
import { NewTicketForm } from "@/components/tickets/new-ticket-form";
import { TicketStatusBadge } from "@/components/tickets/ticket-badges";
import { Button } from "@/components/ui/button";
import { describeConsent } from "@/lib/contacts/consent-label";
import { sinceLabel } from "@/lib/inbox/format";
import type { ContactResponse } from "@/lib/schemas/contact";
import type { ConversationResponse } from "@/lib/schemas/inbox";
import type { TicketResponse } from "@/lib/schemas/ticket";
import { fetcher, sendJson } from "@/lib/swr/fetcher";
import { statusLabel } from "./inbox-shell";

type Panel = {
  contact: ContactResponse;
  conversations: ConversationResponse[];
  conversationCount: number;
  leadScore: { score: number; explanation: string; locked: boolean; computedAt: string } | null;
  journey: { stage: string; label: string; since: string } | null;
};

/** Who the customer is: editable fields, consent, where they came from, their other conversations, scores. */
export function ContactPanel({
  contactId,
  conversationId,
  source,
  canEdit,
  canAnalyse,
  canManageTickets,
  open,
  onClose,
}: {
  contactId: string;
  conversationId: string;
  source: ConversationResponse["source"];
  canEdit: boolean;
  canAnalyse: boolean;
  canManageTickets: boolean;
  open: boolean;
  onClose: () => void;
}) {
  const { data, mutate, error } = useSWR<Panel>(`/api/contacts/${contactId}`, fetcher);
  // Definitions label the fields and say which ones the inbox shows (settings, "Custom fields").
  const { data: defs } = useSWR<{ customFields: { key: string; label: string; showInInbox: boolean }[] }>("/api/custom-fields", fetcher);
  const [saveError, setSaveError] = useState<string | null>(null);

  async function save(patch: Record<string, unknown>) {
    setSaveError(null);
    try {
      const { contact } = await sendJson<{ contact: ContactResponse }>(`/api/contacts/${contactId}`, "PATCH", patch);
      await mutate(data ? { ...data, contact } : undefined, { revalidate: false });
    } catch (err) {
      setSaveError((err as Error).message);
    }
  }

  const c = data?.contact;
  const referral = (source?.referral ?? c?.source.referral ?? null) as Record<string, unknown> | null;
  return (
    <aside
      aria-label="Contact"
      className={`${open ? "fixed inset-0 z-30 block bg-white" : "hidden"} w-full overflow-y-auto border-l border-slate-200 bg-white p-3 text-sm xl:static xl:block xl:w-72`}
    >
      <div className="mb-2 flex items-center justify-between">
        <h2 className="font-semibold">Contact</h2>
        <button type="button" onClick={onClose} className="rounded px-2 text-slate-500 hover:bg-slate-100 xl:hidden" aria-label="Close contact panel">
          ✕
        </button>
      </div>
      {error && <p role="alert" className="text-red-700">{error.message}</p>}
      {!c ? (
        <p className="text-slate-500">Loading…</p>
      ) : (
        <div className="space-y-3">
          <dl className="space-y-1.5">
            <Field label="Name" value={c.name} canEdit={canEdit} onSave={(v) => save({ name: v })} />
            <div>
              <dt className="text-xs text-slate-500">Phone</dt>
              <dd>{c.phone ?? (c.username ? `@${c.username}` : "—")}</dd>
            </div>
            <Field label="Email" value={c.email} canEdit={canEdit} type="email" onSave={(v) => save({ email: v })} />
            <Field label="Company" value={c.company} canEdit={canEdit} onSave={(v) => save({ company: v })} />
          </dl>
          <TagsField tags={c.tags} canEdit={canEdit} onSave={(tags) => save({ tags })} />
          <section aria-label="Custom fields">
            <h3 className="text-xs font-semibold uppercase text-slate-500">Custom fields</h3>
            <dl className="space-y-1">
              {Object.entries(c.customFields)
                .filter(([k]) => defs?.customFields.find((d) => d.key === k)?.showInInbox !== false)
                .map(([k, v]) => (
                  <Field
                    key={k}
                    label={defs?.customFields.find((d) => d.key === k)?.label ?? k}
                    value={v}
                    canEdit={canEdit}
                    onSave={(nv) => save({ customFields: { ...c.customFields, [k]: nv ?? "" } })}
                  />
                ))}
            </dl>
            {canEdit && <NewCustomField onAdd={(k, v) => save({ customFields: { ...c.customFields, [k]: v } })} />}
          </section>
          {saveError && <p role="alert" className="text-xs text-red-700">{saveError}</p>}
          <section aria-label="Consent">
            <h3 className="text-xs font-semibold uppercase text-slate-500">Consent</h3>
            <ConsentLine consent={c.consent} />
          </section>
          <section aria-label="Source">
            <h3 className="text-xs font-semibold uppercase text-slate-500">Source</h3>
            <p>{c.source.kind === "ctwa_ad" ? "Click-to-WhatsApp ad" : c.source.kind}</p>
            {referral && (
              <p className="text-xs text-slate-600">
                {String(referral.headline ?? referral.source_type ?? "")} {referral.source_id ? `(ad ${String(referral.source_id)})` : ""}
                {typeof referral.source_url === "string" && (
                  <a href={referral.source_url} target="_blank" rel="noreferrer" className="ml-1 text-brand-700 underline">
                    open
                  </a>
                )}
              </p>
            )}
          </section>
          <section aria-label="Lead score and journey">
            <h3 className="text-xs font-semibold uppercase text-slate-500">Lead</h3>
            <p data-testid="panel-lead-score">
              Score: {data.leadScore ? <strong>{data.leadScore.score}</strong> : "not scored yet"}
              {data.leadScore?.locked && <span className="ml-1 text-xs text-slate-500">(locked)</span>}
            </p>
            {data.leadScore && <p className="text-xs text-slate-600" title={`Computed ${new Date(data.leadScore.computedAt).toLocaleString()}`}>{data.leadScore.explanation}</p>}
            <p>Journey: {data.journey ? data.journey.label : "not on the journey board"}</p>
          </section>
          <ConversationInsights conversationId={conversationId} canAnalyse={canAnalyse} />
          <ConversationTickets conversationId={conversationId} canManage={canManageTickets} />
          <section aria-label="Conversations">
            <h3 className="text-xs font-semibold uppercase text-slate-500">Conversations ({data.conversationCount})</h3>
            <ul className="space-y-1">
              {data.conversations.map((x) => (
                <li key={x.id}>
                  <Link href={`/inbox/${x.id}`} aria-current={x.id === conversationId ? "page" : undefined} className={`block rounded px-1.5 py-1 hover:bg-slate-100 ${x.id === conversationId ? "bg-brand-50" : ""}`}>
                    <span>{statusLabel(x.status)}</span> · {new Date(x.createdAt).toLocaleDateString()}
                    <span className="block truncate text-xs text-slate-500">{x.lastMessage?.preview}</span>
                  </Link>
                </li>
              ))}
            </ul>
          </section>
        </div>
      )}
    </aside>
  );
}

function Field({ label, value, canEdit, onSave, type = "text" }: { label: string; value: string | null; canEdit: boolean; onSave: (v: string | null) => Promise<void>; type?: string }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(value ?? "");
  if (!editing) {
    return (
      <div>
        <dt className="text-xs text-slate-500">{label}</dt>
        <dd className="flex items-center gap-1">
          <span className="min-w-0 truncate">{value || "—"}</span>
          {canEdit && (
            <button type="button" className="text-xs text-brand-700 underline" onClick={() => (setDraft(value ?? ""), setEditing(true))} aria-label={`Edit ${label}`}>
              edit
            </button>
          )}
        </dd>
      </div>
    );
  }
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        await onSave(draft.trim() === "" ? null : draft.trim());
        setEditing(false);
      }}
    >
      <label className="block text-xs text-slate-500">
        {label}
        <input autoFocus type={type} value={draft} onChange={(e) => setDraft(e.target.value)} onKeyDown={(e) => e.key === "Escape" && setEditing(false)} className="mt-0.5 block w-full rounded border border-slate-300 px-1.5 py-0.5 text-sm text-slate-900" />
      </label>
      <div className="mt-1 flex gap-1">
        <Button type="submit">Save</Button>
        <Button type="button" variant="ghost" onClick={() => setEditing(false)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function TagsField({ tags, canEdit, onSave }: { tags: string[]; canEdit: boolean; onSave: (tags: string[]) => Promise<void> }) {
  const [draft, setDraft] = useState("");
  return (
    <section aria-label="Contact tags">
      <h3 className="text-xs font-semibold uppercase text-slate-500">Tags</h3>
      <ul className="flex flex-wrap gap-1">
        {tags.map((t) => (
          <li key={t} className="rounded-full bg-slate-100 px-2 py-0.5 text-xs">
            {t}
            {canEdit && (
              <button type="button" className="ml-1" aria-label={`Remove contact tag ${t}`} onClick={() => void onSave(tags.filter((x) => x !== t))}>
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      {canEdit && (
        <form
          className="mt-1"
          onSubmit={(e) => {
            e.preventDefault();
            const t = draft.trim().toLowerCase();
            if (t && !tags.includes(t)) void onSave([...tags, t]);
            setDraft("");
          }}
        >
          <label className="sr-only" htmlFor="contact-tag">
            Add a contact tag
          </label>
          <input id="contact-tag" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="+ tag" maxLength={40} className="w-24 rounded border border-slate-300 px-1.5 py-0.5 text-xs" />
        </form>
      )}
    </section>
  );
}

function NewCustomField({ onAdd }: { onAdd: (key: string, value: string) => Promise<void> }) {
  const [k, setK] = useState("");
  const [v, setV] = useState("");
  return (
    <form
      className="mt-1 flex gap-1"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!k.trim()) return;
        await onAdd(k.trim(), v);
        setK("");
        setV("");
      }}
    >
      <input aria-label="New field name" placeholder="field" value={k} onChange={(e) => setK(e.target.value)} className="w-20 rounded border border-slate-300 px-1 py-0.5 text-xs" />
      <input aria-label="New field value" placeholder="value" value={v} onChange={(e) => setV(e.target.value)} className="min-w-0 flex-1 rounded border border-slate-300 px-1 py-0.5 text-xs" />
      <Button type="submit" variant="secondary">
        Add
      </Button>
    </form>
  );
}

/** The tickets opened from this conversation, and a form to open one. */
function ConversationTickets({ conversationId, canManage }: { conversationId: string; canManage: boolean }) {
  const { data, mutate } = useSWR<{ tickets: TicketResponse[] }>(`/api/tickets?conversationId=${conversationId}`, fetcher);
  return (
    <section aria-label="Tickets">
      <h3 className="text-xs font-semibold uppercase text-slate-500">Tickets</h3>
      {data && data.tickets.length === 0 && <p className="text-xs text-slate-500">None for this conversation.</p>}
      <ul className="mb-1 space-y-1">
        {data?.tickets.map((t) => (
          <li key={t.id}>
            <Link href={`/tickets/${t.id}`} className="block rounded px-1.5 py-1 hover:bg-slate-100">
              <span className="block truncate">{t.subject}</span>
              <span className="flex items-center gap-1 text-xs text-slate-500">
                {t.number} <TicketStatusBadge status={t.status} />
              </span>
            </Link>
          </li>
        ))}
      </ul>
      {canManage && <NewTicketForm conversationId={conversationId} onCreated={() => void mutate()} />}
    </section>
  );
}

function ConsentLine({ consent }: { consent: ContactResponse["consent"] }) {
  const d = describeConsent(consent);
  const tone = d.tone === "negative" ? "bg-red-100 text-red-800" : d.tone === "positive" ? "bg-emerald-100 text-emerald-800" : "bg-slate-100";
  return (
    <p>
      <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${tone}`}>{d.state}</span> {d.marketing}
      {consent.changedAt && <span className="block text-xs text-slate-500">changed {sinceLabel(consent.changedAt)}{consent.source ? ` via ${consent.source.replace(/_/g, " ")}` : ""}</span>}
    </p>
  );
}
