"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { ErrorText, SelectField, TextField } from "@/components/ui/field";
import type { ButtonType, LintTemplateResponse, OtpType, TemplateCategory, TemplateDetailResponse } from "@/lib/schemas/template";
import { sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";
import { useTemplate } from "@/lib/swr/use-template";
import { draftFromForm, emptyForm, formFromTemplate, newButton, type BuilderForm, type ButtonForm, type HeaderChoice } from "@/lib/templates/draft";
import { utcMinute } from "@/lib/templates/edit-limits";
import { lintTemplate, TEMPLATE_LIMITS } from "@/lib/templates/lint";
import { placeholders, templateSlots } from "@/lib/templates/variables";
import { StatusBadge } from "./status-badge";
import { TemplatePreview } from "./template-preview";

/**
 * The template builder: every component Meta allows, a sample for each variable as it is typed,
 * the WhatsApp preview, and the linter's problems live (the linter is pure, so it runs here on
 * every change; the API runs it again before Meta). A UTILITY draft is also read by the AI
 * (debounced) for marketing wording. Submit stays disabled while there are problems.
 */
export type AccountOption = { id: string; label: string };

const languages: [string, string][] = [
  ["en_US", "English (US)"],
  ["en_GB", "English (UK)"],
  ["en", "English"],
  ["es", "Spanish"],
  ["es_ES", "Spanish (Spain)"],
  ["es_MX", "Spanish (Mexico)"],
  ["es_AR", "Spanish (Argentina)"],
  ["pt_BR", "Portuguese (Brazil)"],
  ["pt_PT", "Portuguese (Portugal)"],
  ["fr", "French"],
  ["de", "German"],
  ["it", "Italian"],
  ["nl", "Dutch"],
  ["pl", "Polish"],
  ["sv", "Swedish"],
  ["tr", "Turkish"],
  ["ru", "Russian"],
  ["uk", "Ukrainian"],
  ["ar", "Arabic"],
  ["he", "Hebrew"],
  ["hi", "Hindi"],
  ["id", "Indonesian"],
  ["ms", "Malay"],
  ["fil", "Filipino"],
  ["th", "Thai"],
  ["vi", "Vietnamese"],
  ["zh_CN", "Chinese (China)"],
  ["zh_HK", "Chinese (Hong Kong)"],
  ["zh_TW", "Chinese (Taiwan)"],
  ["ja", "Japanese"],
  ["ko", "Korean"],
];

const categoryHelp: Record<TemplateCategory, string> = {
  MARKETING: "Promotions, offers, announcements, re-engagement.",
  UTILITY: "About a transaction or request of this customer (orders, bookings, account). No promotion.",
  AUTHENTICATION: "One-time passwords only, with a code button.",
};

const buttonTypeLabel: Record<ButtonType, string> = {
  QUICK_REPLY: "Quick reply",
  URL: "Visit website (URL)",
  PHONE_NUMBER: "Call phone number",
  COPY_CODE: "Copy offer code",
  OTP: "One-time password",
};

const otpLabel: Record<OtpType, string> = { COPY_CODE: "Copy code", ONE_TAP: "One-tap autofill (Android)", ZERO_TAP: "Zero-tap (Android)" };

const control = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm shadow-sm focus:border-brand-600 disabled:bg-slate-50";
const count = (s: string) => [...s].length;

function Counter({ id, value, max }: { id: string; value: string; max: number }) {
  const n = count(value);
  return (
    <span id={id} className={`text-xs ${n > max ? "font-medium text-red-700" : "text-slate-500"}`}>
      {n.toLocaleString("en-US")} / {max.toLocaleString("en-US")} characters
    </span>
  );
}

export function TemplateBuilder({ accounts, template }: { accounts: AccountOption[]; template?: TemplateDetailResponse }) {
  if (template) return <ExistingTemplate accounts={accounts} template={template} />;
  return <Builder accounts={accounts} initial={emptyForm()} unsupported={[]} live={null} onSaved={null} />;
}

/** A stored template: its live status (re-read while Meta reviews it) above the builder. */
function ExistingTemplate({ accounts, template }: { accounts: AccountOption[]; template: TemplateDetailResponse }) {
  const { data, mutate } = useTemplate(template);
  const live = data?.template ?? template;
  const [{ form, unsupported }] = useState(() => formFromTemplate(template));
  const reason = live.rejectedReason ? `Rejected: ${live.rejectedReason}` : live.pausedReason ? `Paused: ${live.pausedReason}` : null;
  return (
    <div className="space-y-4">
      <section aria-label="Status" data-testid="template-status" className="space-y-1 rounded-lg bg-white p-4 text-sm ring-1 ring-slate-200">
        <p className="flex flex-wrap items-center gap-2">
          <StatusBadge status={live.status} />
          <span className="text-slate-600">
            {live.category.toLowerCase()} · {live.language}
            {live.qualityScore && live.qualityScore !== "UNKNOWN" ? ` · quality ${live.qualityScore.toLowerCase()}` : ""}
          </span>
        </p>
        {live.status === "PENDING" && <p className="text-slate-600">Meta is reviewing this template (up to 24 hours). This page updates when it decides.</p>}
        {reason && <p className="text-red-700">{reason}</p>}
        {live.edits && (
          <p className="text-slate-600">
            {live.edits.used} of {live.edits.limit} edits in 30 days
            {live.edits.nextEditAt ? `; the next edit is possible from ${utcMinute(new Date(live.edits.nextEditAt))}` : ""}
          </p>
        )}
        {live.status === "DELETED" && (
          <p className="text-slate-600">
            Deleted{live.deletedAt ? ` on ${utcMinute(new Date(live.deletedAt))}` : ""}.
            {live.nameBlockedUntil ? ` Meta does not allow the name ${live.name} again until ${utcMinute(new Date(live.nameBlockedUntil))}.` : ""}
          </p>
        )}
      </section>
      <Builder accounts={accounts} initial={form} unsupported={unsupported} live={live} onSaved={(t) => mutate({ template: t })} />
    </div>
  );
}

function Builder({
  accounts,
  initial,
  unsupported,
  live,
  onSaved,
}: {
  accounts: AccountOption[];
  initial: BuilderForm;
  unsupported: string[];
  live: TemplateDetailResponse | null;
  onSaved: ((t: TemplateDetailResponse) => void) | null;
}) {
  const router = useRouter();
  const ids = useId();
  const [form, setForm] = useState(initial);
  const [accountId, setAccountId] = useState(accounts[0]?.id ?? "");
  const [done, setDone] = useState<string | null>(null);
  /** Open delete confirmation: until when the name would be blocked (computed when it opens). */
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const set = (patch: Partial<BuilderForm>) => setForm((f) => ({ ...f, ...patch }));

  const draft = useMemo(() => draftFromForm(form), [form]);
  const problems = useMemo(() => lintTemplate(draft), [draft]);
  const canEdit = !live || live.editable;
  const approved = live?.status === "APPROVED" || live?.status === "PAUSED";
  const variableSlots = templateSlots({ components: draft.components, parameterFormat: form.parameterFormat }).filter((s) => s.kind === "text" && s.component !== "button");

  // The AI check, debounced: only the latest answer counts.
  const [warning, setWarning] = useState<string | null>(null);
  const checkSeq = useRef(0);
  const aiKey = form.category === "UTILITY" && canEdit && form.body.trim() ? JSON.stringify(draft) : null;
  useEffect(() => {
    const n = ++checkSeq.current;
    if (!aiKey) return;
    const timer = setTimeout(() => {
      sendJson<LintTemplateResponse>("/api/templates/lint", "POST", JSON.parse(aiKey))
        .then((res) => n === checkSeq.current && setWarning(res.warning))
        // Advisory only: without an answer the builder shows no warning.
        .catch(() => undefined);
    }, 800);
    return () => clearTimeout(timer);
  }, [aiKey]);
  const shownWarning = aiKey ? warning : null;

  function addVariable() {
    const keys = placeholders(form.body);
    const next = form.parameterFormat === "named" ? `{{variable_${keys.length + 1}}}` : `{{${Math.max(0, ...keys.map(Number).filter(Number.isFinite)) + 1}}}`;
    const el = bodyRef.current;
    const at = el?.selectionStart ?? form.body.length;
    set({ body: `${form.body.slice(0, at)}${next}${form.body.slice(el?.selectionEnd ?? at)}` });
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + next.length, at + next.length);
    });
  }

  function changeCategory(category: TemplateCategory) {
    // Authentication templates carry Meta's fixed code sentence and a code button: start from them.
    if (category === "AUTHENTICATION") {
      set({
        category,
        body: form.body.trim() ? form.body : "{{1}} is your verification code.",
        buttons: form.buttons.some((b) => b.type === "OTP") ? form.buttons : [...form.buttons, newButton("OTP")],
      });
    } else set({ category });
  }

  const setButton = (i: number, patch: Partial<ButtonForm>) => set({ buttons: form.buttons.map((b, j) => (j === i ? { ...b, ...patch } : b)) });
  const moveButton = (i: number, by: -1 | 1) => {
    const list = [...form.buttons];
    [list[i], list[i + by]] = [list[i + by]!, list[i]!];
    set({ buttons: list });
  };
  const addableTypes: ButtonType[] = form.category === "AUTHENTICATION" ? ["OTP"] : ["QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE"];
  const [newType, setNewType] = useState<ButtonType>("QUICK_REPLY");
  const typeToAdd = addableTypes.includes(newType) ? newType : addableTypes[0]!;

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setDone(null);
    if (problems.length) return;
    if (!live) {
      const res = await run(() => sendJson<{ template: TemplateDetailResponse }>("/api/templates", "POST", { ...draft, ...(accountId ? { accountId } : {}) }));
      if (res) router.push(`/templates/${res.template.id}`);
      return;
    }
    const res = await run(() => sendJson<{ template: TemplateDetailResponse }>(`/api/templates/${live.id}`, "PATCH", { category: draft.category, components: draft.components }));
    if (res) {
      onSaved?.(res.template);
      setDone("Changes submitted: Meta reviews the template again.");
    }
  }

  async function remove() {
    if (!live) return;
    const res = await run(() => sendJson(`/api/templates/${live.id}`, "DELETE"));
    setConfirmDelete(null);
    if (res) {
      router.push("/templates");
      router.refresh();
    }
  }

  const languageOptions = languages.some(([code]) => code === form.language) ? languages : [[form.language, form.language] as [string, string], ...languages];

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
      <form onSubmit={submit} aria-label="Template" className="min-w-0 space-y-5">
        <fieldset disabled={!canEdit || busy} className="space-y-5">
          <section aria-labelledby={`${ids}-basics`} className="space-y-3 rounded-lg bg-white p-4 ring-1 ring-slate-200">
            <h2 id={`${ids}-basics`} className="text-sm font-semibold">
              Basics
            </h2>
            <div className="grid gap-3 sm:grid-cols-2">
              <TextField
                label="Name"
                value={form.name}
                onChange={(e) => set({ name: e.target.value })}
                disabled={!!live}
                autoComplete="off"
                spellCheck={false}
                placeholder="order_update"
                aria-describedby={`${ids}-name-hint`}
              />
              <SelectField label="Language" value={form.language} onChange={(e) => set({ language: e.target.value })} disabled={!!live}>
                {languageOptions.map(([code, name]) => (
                  <option key={code} value={code}>
                    {name} ({code})
                  </option>
                ))}
              </SelectField>
              <SelectField label="Category" value={form.category} onChange={(e) => changeCategory(e.target.value as TemplateCategory)} disabled={approved} aria-describedby={`${ids}-category-hint`}>
                <option value="MARKETING">Marketing</option>
                <option value="UTILITY">Utility</option>
                <option value="AUTHENTICATION">Authentication</option>
              </SelectField>
              <SelectField label="Variables" value={form.parameterFormat} onChange={(e) => set({ parameterFormat: e.target.value as BuilderForm["parameterFormat"] })} disabled={!!live}>
                <option value="positional">Numbered: {"{{1}}, {{2}}"}</option>
                <option value="named">Named: {"{{first_name}}"}</option>
              </SelectField>
              {!live && accounts.length > 1 && (
                <SelectField label="WhatsApp number" value={accountId} onChange={(e) => setAccountId(e.target.value)}>
                  {accounts.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.label}
                    </option>
                  ))}
                </SelectField>
              )}
            </div>
            <p id={`${ids}-name-hint`} className="text-xs text-slate-500">
              Names use lowercase letters, digits and underscores{live ? "; a submitted template keeps its name, language and variable format" : ""}.
            </p>
            <p id={`${ids}-category-hint`} className="text-xs text-slate-500">
              {categoryHelp[form.category]}
              {approved ? " An approved template keeps its category." : ""}
            </p>
          </section>

          <section aria-labelledby={`${ids}-content`} className="space-y-3 rounded-lg bg-white p-4 ring-1 ring-slate-200">
            <h2 id={`${ids}-content`} className="text-sm font-semibold">
              Content
            </h2>
            <SelectField label="Header" value={form.header} onChange={(e) => set({ header: e.target.value as HeaderChoice })}>
              <option value="NONE">No header</option>
              <option value="TEXT">Text</option>
              <option value="IMAGE">Image</option>
              <option value="VIDEO">Video</option>
              <option value="DOCUMENT">Document</option>
              <option value="LOCATION">Location</option>
            </SelectField>
            {form.header === "TEXT" && (
              <div>
                <TextField label="Header text" value={form.headerText} onChange={(e) => set({ headerText: e.target.value })} aria-describedby={`${ids}-header-count`} />
                <Counter id={`${ids}-header-count`} value={form.headerText} max={TEMPLATE_LIMITS.headerChars} />
              </div>
            )}
            {(form.header === "IMAGE" || form.header === "VIDEO" || form.header === "DOCUMENT") && (
              <div>
                <TextField label="Sample media handle" value={form.headerHandle} onChange={(e) => set({ headerHandle: e.target.value })} aria-describedby={`${ids}-handle-hint`} />
                <p id={`${ids}-handle-hint`} className="text-xs text-slate-500">
                  Meta&apos;s reviewers need a sample {form.header.toLowerCase()}: the handle its Resumable Upload API returns (4::…). The real media is chosen when sending.
                </p>
              </div>
            )}
            <div>
              <div className="flex items-end justify-between gap-2">
                <label htmlFor={`${ids}-body`} className="block text-sm font-medium text-slate-700">
                  Body
                </label>
                <Button type="button" variant="secondary" onClick={addVariable}>
                  + Add variable
                </Button>
              </div>
              <textarea
                id={`${ids}-body`}
                ref={bodyRef}
                rows={6}
                value={form.body}
                onChange={(e) => set({ body: e.target.value })}
                className={control}
                aria-describedby={`${ids}-body-count`}
              />
              <Counter id={`${ids}-body-count`} value={form.body} max={TEMPLATE_LIMITS.bodyChars} />
            </div>
            <div>
              <TextField label="Footer (optional)" value={form.footer} onChange={(e) => set({ footer: e.target.value })} aria-describedby={`${ids}-footer-count`} />
              <Counter id={`${ids}-footer-count`} value={form.footer} max={TEMPLATE_LIMITS.footerChars} />
            </div>
          </section>

          {variableSlots.length > 0 && (
            <section aria-labelledby={`${ids}-samples`} className="space-y-3 rounded-lg bg-white p-4 ring-1 ring-slate-200">
              <h2 id={`${ids}-samples`} className="text-sm font-semibold">
                Variable samples
              </h2>
              <p className="text-xs text-slate-500">Meta&apos;s reviewers read the message with these values. Real values are filled in when sending.</p>
              <div className="grid gap-3 sm:grid-cols-2">
                {variableSlots.map((s) => (
                  <TextField
                    key={s.id}
                    label={`Sample for {{${s.key}}} in the ${s.component}`}
                    value={form.examples[s.id] ?? ""}
                    onChange={(e) => set({ examples: { ...form.examples, [s.id]: e.target.value } })}
                  />
                ))}
              </div>
            </section>
          )}

          <section aria-labelledby={`${ids}-buttons`} className="space-y-3 rounded-lg bg-white p-4 ring-1 ring-slate-200">
            <h2 id={`${ids}-buttons`} className="text-sm font-semibold">
              Buttons <span className="font-normal text-slate-500">(up to {TEMPLATE_LIMITS.buttons})</span>
            </h2>
            {unsupported.length > 0 && (
              <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
                This template has buttons the builder cannot edit ({unsupported.join(", ")}); edit it in WhatsApp Manager.
              </p>
            )}
            {form.buttons.map((b, i) => (
              <fieldset key={b.key} className="space-y-2 rounded-md border border-slate-200 p-3">
                <legend className="px-1 text-sm font-medium">
                  Button {i + 1}: {buttonTypeLabel[b.type]}
                </legend>
                <div className="grid gap-2 sm:grid-cols-2">
                  {b.type !== "COPY_CODE" && (
                    <TextField
                      label={`Button ${i + 1} label${b.type === "OTP" ? " (optional)" : ""}`}
                      value={b.text}
                      onChange={(e) => setButton(i, { text: e.target.value })}
                      maxLength={200}
                    />
                  )}
                  {b.type === "URL" && <TextField label={`Button ${i + 1} URL`} type="url" value={b.url} onChange={(e) => setButton(i, { url: e.target.value })} placeholder="https://example.com/track/{{1}}" />}
                  {b.type === "URL" && b.url.includes("{{") && (
                    <TextField label={`Sample for the end of button ${i + 1}'s URL`} value={b.example} onChange={(e) => setButton(i, { example: e.target.value })} />
                  )}
                  {b.type === "PHONE_NUMBER" && (
                    <TextField label={`Button ${i + 1} phone number`} type="tel" value={b.phoneNumber} onChange={(e) => setButton(i, { phoneNumber: e.target.value })} placeholder="+15550100123" />
                  )}
                  {b.type === "COPY_CODE" && <TextField label={`Button ${i + 1} coupon code`} value={b.example} onChange={(e) => setButton(i, { example: e.target.value })} />}
                  {b.type === "OTP" && (
                    <SelectField label={`Button ${i + 1} code delivery`} value={b.otpType} onChange={(e) => setButton(i, { otpType: e.target.value as OtpType })}>
                      {(Object.keys(otpLabel) as OtpType[]).map((t) => (
                        <option key={t} value={t}>
                          {otpLabel[t]}
                        </option>
                      ))}
                    </SelectField>
                  )}
                  {b.type === "OTP" && b.otpType !== "COPY_CODE" && (
                    <>
                      <TextField label={`Button ${i + 1} Android package name`} value={b.packageName} onChange={(e) => setButton(i, { packageName: e.target.value })} placeholder="com.example.app" />
                      <TextField label={`Button ${i + 1} app signature hash`} value={b.signatureHash} onChange={(e) => setButton(i, { signatureHash: e.target.value })} />
                    </>
                  )}
                  {b.type === "OTP" && b.otpType === "ZERO_TAP" && (
                    <label className="flex items-center gap-2 text-sm text-slate-700 sm:col-span-2">
                      <input type="checkbox" checked={b.zeroTapTermsAccepted} onChange={(e) => setButton(i, { zeroTapTermsAccepted: e.target.checked })} />
                      I accept Meta&apos;s zero-tap terms for button {i + 1}
                    </label>
                  )}
                </div>
                <div className="flex flex-wrap gap-1">
                  <Button type="button" variant="ghost" onClick={() => moveButton(i, -1)} disabled={i === 0} aria-label={`Move button ${i + 1} up`}>
                    ↑ Up
                  </Button>
                  <Button type="button" variant="ghost" onClick={() => moveButton(i, 1)} disabled={i === form.buttons.length - 1} aria-label={`Move button ${i + 1} down`}>
                    ↓ Down
                  </Button>
                  <Button type="button" variant="ghost" className="text-red-700" onClick={() => set({ buttons: form.buttons.filter((_, j) => j !== i) })} aria-label={`Remove button ${i + 1}`}>
                    Remove
                  </Button>
                </div>
              </fieldset>
            ))}
            <div className="flex flex-wrap items-end gap-2">
              <div className="min-w-48">
                <SelectField label="New button type" value={typeToAdd} onChange={(e) => setNewType(e.target.value as ButtonType)}>
                  {addableTypes.map((t) => (
                    <option key={t} value={t}>
                      {buttonTypeLabel[t]}
                    </option>
                  ))}
                </SelectField>
              </div>
              <Button type="button" variant="secondary" onClick={() => set({ buttons: [...form.buttons, newButton(typeToAdd)] })} disabled={form.buttons.length >= TEMPLATE_LIMITS.buttons}>
                + Add button
              </Button>
            </div>
          </section>
        </fieldset>

        <ErrorText>{error}</ErrorText>
        {done && (
          <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-700">
            {done}
          </p>
        )}
        <div className="flex flex-wrap items-center gap-2">
          {canEdit && (
            <Button type="submit" disabled={problems.length > 0 || busy || unsupported.length > 0}>
              {busy ? "Submitting…" : live ? "Submit changes for review" : "Submit for review"}
            </Button>
          )}
          {canEdit && problems.length > 0 && <span className="text-sm text-slate-600">Fix the problems listed to submit.</span>}
          {live && !canEdit && live.status !== "DELETED" && (
            <span className="text-sm text-slate-600">
              {live.status === "PENDING" ? "It can be edited once Meta approves or rejects it." : live.edits?.nextEditAt ? "Meta's edit limit is reached for now." : `A ${live.status.toLowerCase()} template cannot be edited.`}
            </span>
          )}
          {live?.deletable && (
            <Button type="button" variant="danger" className="ml-auto" onClick={() => setConfirmDelete(utcMinute(new Date(Date.now() + 30 * 24 * 60 * 60 * 1000)))} disabled={busy}>
              Delete template
            </Button>
          )}
          <Link href="/templates" className="text-sm text-brand-700 hover:underline">
            Back to templates
          </Link>
        </div>
      </form>

      <aside className="min-w-0 space-y-4 lg:sticky lg:top-4 lg:self-start" aria-label="Preview and checks">
        <TemplatePreview draft={draft} />
        <section aria-labelledby={`${ids}-checks`} aria-live="polite" className="space-y-2 rounded-lg bg-white p-4 text-sm ring-1 ring-slate-200" data-testid="lint-problems">
          <h2 id={`${ids}-checks`} className="font-semibold">
            Checks before Meta
          </h2>
          {problems.length === 0 ? (
            <p className="text-emerald-700">No problems: Meta&apos;s rules are met.</p>
          ) : (
            <ul aria-label="Problems" className="list-disc space-y-1 pl-5 text-red-700">
              {problems.map((p, i) => (
                <li key={`${p.path}-${i}`}>{p.message}</li>
              ))}
            </ul>
          )}
          {shownWarning && (
            <p className="rounded-md bg-amber-50 px-3 py-2 text-amber-800" data-testid="ai-warning">
              <span className="font-medium">AI check: </span>
              {shownWarning}
            </p>
          )}
        </section>
      </aside>

      {live && (
        <Dialog open={confirmDelete !== null} onClose={() => setConfirmDelete(null)} title="Delete this template?">
          <div className="space-y-3 text-sm">
            <p>
              Meta deletes {live.name} ({live.language}); messages already sent are not affected, and campaigns using it can no longer send.
            </p>
            {approved ? (
              <p className="font-medium text-red-700">
                The name {live.name} is then unusable for 30 days: no new template can be created with it until {confirmDelete}.
              </p>
            ) : (
              <p>It was never approved, so its name can be used again.</p>
            )}
            <div className="flex justify-end gap-2">
              <Button type="button" variant="secondary" onClick={() => setConfirmDelete(null)}>
                Cancel
              </Button>
              <Button type="button" variant="danger" onClick={remove} disabled={busy}>
                {busy ? "Deleting…" : "Delete"}
              </Button>
            </div>
          </div>
        </Dialog>
      )}
    </div>
  );
}
