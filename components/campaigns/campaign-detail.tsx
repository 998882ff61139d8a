"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { DateTime } from "luxon";
import { useState } from "react";
import useSWR from "swr";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { ErrorText, SelectField, TextField } from "@/components/ui/field";
import type { CampaignResponse } from "@/lib/campaigns/results";
import type { CampaignPlan } from "@/lib/campaigns/plan";
import { exclusionLabels, type ExclusionReason, type RetargetStep } from "@/lib/schemas/campaign";
import { fetcher, sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";
import { CampaignStatusBadge, pct } from "./status-badge";
import { FunnelChart } from "./funnel-chart";
import { FunnelTimeline } from "./funnel-timeline";

const LIVE = new Set(["preparing", "sending"]);

export function CampaignDetail({ initial, timezone }: { initial: CampaignResponse; timezone: string }) {
  const { data, mutate } = useSWR<{ campaign: CampaignResponse }>(`/api/campaigns/${initial.id}`, fetcher, {
    fallbackData: { campaign: initial },
    // Live while it sends: the funnel moves as Meta's statuses arrive.
    refreshInterval: (d) => (d && LIVE.has(d.campaign.status) ? 1500 : d?.campaign.status === "completed" || d?.campaign.status === "paused" ? 5000 : 0),
  });
  const c = data!.campaign;
  const started = !["draft", "scheduled"].includes(c.status);
  return (
    <section className="space-y-5">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <Link href="/campaigns" className="text-sm text-brand-700 hover:underline">
            ← Campaigns
          </Link>
          <h1 className="mt-1 flex items-center gap-2 text-xl font-semibold">
            {c.name} <CampaignStatusBadge status={c.status} testId="campaign-status" />
          </h1>
          <p className="text-sm text-slate-500">
            {c.variants.map((v) => `${c.variants.length > 1 ? `${v.key}: ` : ""}${v.template.name} (${v.template.category.toLowerCase()})`).join(" · ")} · {c.ratePerSecond} messages/s
            {c.scheduledAt && c.status === "scheduled" ? ` · scheduled for ${DateTime.fromISO(c.scheduledAt).setZone(timezone).toFormat("d LLL yyyy, HH:mm")} (${timezone})` : ""}
          </p>
        </div>
        <Actions c={c} timezone={timezone} onChange={(next) => mutate({ campaign: next }, { revalidate: false })} />
      </div>
      {c.status === "paused" && c.pauseReason && (
        <p role="alert" className="rounded-md bg-orange-50 px-3 py-2 text-sm text-orange-800">
          Paused: {c.pauseReason}
        </p>
      )}
      {started ? (
        <>
          <Progress c={c} />
          <Funnel c={c} />
          <Recipients id={c.id} />
        </>
      ) : (
        <PlanPanel id={c.id} updatedAt={c.updatedAt} />
      )}
    </section>
  );
}

function Actions({ c, timezone, onChange }: { c: CampaignResponse; timezone: string; onChange: (c: CampaignResponse) => void }) {
  const router = useRouter();
  const act = useAction();
  const [dialog, setDialog] = useState<null | "send" | "cancel" | "delete" | "schedule" | "test">(null);
  const [at, setAt] = useState("");
  const [phone, setPhone] = useState("");
  const [testResult, setTestResult] = useState<string | null>(null);
  const close = () => {
    setDialog(null);
    act.setError(null);
  };
  const call = async (path: string, body?: unknown) => {
    const res = await act.run(() => sendJson<{ campaign: CampaignResponse }>(`/api/campaigns/${c.id}/${path}`, "POST", body));
    if (res) {
      onChange(res.campaign);
      close();
    }
  };
  const draftish = c.status === "draft" || c.status === "scheduled";
  return (
    <div className="flex flex-wrap gap-2">
      {draftish && (
        <Link href={`/campaigns/${c.id}/edit`} className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50">
          Edit
        </Link>
      )}
      {draftish && (
        <Button variant="secondary" onClick={() => setDialog("test")}>
          Send a test
        </Button>
      )}
      {c.status === "draft" && (
        <Button variant="secondary" onClick={() => setDialog("schedule")}>
          Schedule
        </Button>
      )}
      {c.status === "scheduled" && (
        <Button variant="secondary" disabled={act.busy} onClick={() => call("schedule", { at: null })}>
          Unschedule
        </Button>
      )}
      {draftish && <Button onClick={() => setDialog("send")}>Send now</Button>}
      {LIVE.has(c.status) && (
        <Button variant="secondary" disabled={act.busy} onClick={() => call("pause")}>
          Pause
        </Button>
      )}
      {c.status === "paused" && (
        <Button disabled={act.busy} onClick={() => call("resume")}>
          Resume
        </Button>
      )}
      {["scheduled", "preparing", "sending", "paused"].includes(c.status) && (
        <Button variant="danger" onClick={() => setDialog("cancel")}>
          Cancel campaign
        </Button>
      )}
      {c.status === "draft" && (
        <Button variant="ghost" onClick={() => setDialog("delete")}>
          Delete
        </Button>
      )}
      {c.preparedAt && (
        <a href={`/api/campaigns/${c.id}/export`} className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50">
          Export CSV
        </a>
      )}
      {!dialog && act.error && <div className="w-full"><ErrorText>{act.error}</ErrorText></div>}

      <Dialog open={dialog === "send"} onClose={close} title="Send this campaign now?">
        <p className="text-sm text-slate-600">Every recipient of the plan gets the message once, at {c.ratePerSecond} messages per second. You can pause or cancel while it sends.</p>
        <ErrorText>{act.error}</ErrorText>
        <div className="mt-4 flex justify-end gap-2">
          <Button variant="secondary" onClick={close}>Not yet</Button>
          <Button disabled={act.busy} onClick={() => call("send")}>{act.busy ? "Starting…" : "Send now"}</Button>
        </div>
      </Dialog>
      <Dialog open={dialog === "cancel"} onClose={close} title="Cancel the campaign?">
        <p className="text-sm text-slate-600">Recipients not sent yet ({c.counters.pending.toLocaleString("en")}) will not get the message. This cannot be undone; messages already sent keep counting in the funnel.</p>
        <ErrorText>{act.error}</ErrorText>
        <div className="mt-4 flex justify-end gap-2">
          <Button variant="secondary" onClick={close}>Keep it</Button>
          <Button variant="danger" disabled={act.busy} onClick={() => call("cancel")}>Cancel campaign</Button>
        </div>
      </Dialog>
      <Dialog open={dialog === "delete"} onClose={close} title="Delete this draft?">
        <ErrorText>{act.error}</ErrorText>
        <div className="mt-4 flex justify-end gap-2">
          <Button variant="secondary" onClick={close}>Keep it</Button>
          <Button
            variant="danger"
            disabled={act.busy}
            onClick={async () => {
              if (await act.run(() => sendJson(`/api/campaigns/${c.id}`, "DELETE"))) router.push("/campaigns");
            }}
          >
            Delete draft
          </Button>
        </div>
      </Dialog>
      <Dialog open={dialog === "schedule"} onClose={close} title="Schedule the campaign">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const when = DateTime.fromISO(at, { zone: timezone });
            if (!when.isValid) return act.setError("Choose a date and time");
            void call("schedule", { at: when.toISO() });
          }}
          className="space-y-3"
        >
          <TextField label={`Send at (${timezone})`} type="datetime-local" required value={at} onChange={(e) => setAt(e.target.value)} />
          <ErrorText>{act.error}</ErrorText>
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={close}>Close</Button>
            <Button type="submit" disabled={act.busy}>Schedule</Button>
          </div>
        </form>
      </Dialog>
      <Dialog open={dialog === "test"} onClose={() => { close(); setTestResult(null); }} title="Send a test message">
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            const res = await act.run(() => sendJson<{ message: { status: string; text: string | null } }>(`/api/campaigns/${c.id}/test`, "POST", { phone, variant: "A" }));
            if (res) setTestResult(res.message.status === "failed" ? "WhatsApp refused the test message." : `Sent: “${res.message.text ?? ""}”`);
          }}
          className="space-y-3"
        >
          <TextField label="To (phone with country code)" type="tel" required value={phone} onChange={(e) => setPhone(e.target.value)} placeholder="+34 600 000 000" />
          <ErrorText>{act.error}</ErrorText>
          {testResult && <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">{testResult}</p>}
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => { close(); setTestResult(null); }}>Close</Button>
            <Button type="submit" disabled={act.busy}>{act.busy ? "Sending…" : "Send test"}</Button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}

function PlanPanel({ id, updatedAt }: { id: string; updatedAt: string }) {
  const { data, error, isLoading } = useSWR<{ plan: CampaignPlan }>(`/api/campaigns/${id}/plan?v=${updatedAt}`, fetcher, { revalidateOnFocus: false });
  if (isLoading) return <p className="rounded-lg bg-white p-6 text-sm text-slate-500 ring-1 ring-slate-200" role="status">Working out the plan: reading the audience and the exclusions…</p>;
  if (error) return <ErrorText>{(error as Error).message}</ErrorText>;
  const p = data!.plan;
  const minutes = Math.ceil(p.durationSeconds / 60);
  return (
    <div className="space-y-4" aria-label="Plan">
      <div className="grid gap-3 sm:grid-cols-4">
        <Stat label="Recipients" value={p.recipients.toLocaleString("en")} hint={`of ${p.audience.toLocaleString("en")} in the audience`} testId="plan-recipients" />
        <Stat label="Estimated cost" value={`${p.cost.total.toLocaleString("en", { maximumFractionDigits: 2 })} ${p.cost.currency}`} hint="delivered messages, by country" />
        <Stat label="Time to send" value={p.durationSeconds < 60 ? `${p.durationSeconds} s` : `${minutes} min`} hint={`at ${p.ratePerSecond} messages/s`} />
        <Stat label="Messaging limit" value={p.limit.tier ?? "unknown"} hint={p.limit.remainingToday === null ? "no daily limit known" : `${p.limit.remainingToday.toLocaleString("en")} left today`} />
      </div>
      {p.warnings.map((w) => (
        <p key={w} role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">{w}</p>
      ))}
      <div className="grid gap-4 lg:grid-cols-2">
        <div className="rounded-lg bg-white p-4 ring-1 ring-slate-200">
          <h2 className="mb-2 text-sm font-semibold">Excluded before sending</h2>
          {Object.keys(p.excluded).length === 0 ? (
            <p className="text-sm text-slate-500">No one is excluded.</p>
          ) : (
            <table className="w-full text-sm">
              <tbody>
                {Object.entries(p.excluded).map(([reason, n]) => (
                  <tr key={reason}>
                    <td className="py-1">{exclusionLabels[reason as ExclusionReason]}</td>
                    <td className="py-1 text-right tabular-nums">{n!.toLocaleString("en")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {p.cost.byCountry.length > 0 && (
            <>
              <h2 className="mb-2 mt-4 text-sm font-semibold">Cost by country</h2>
              <table className="w-full text-sm">
                <thead className="text-left text-slate-500">
                  <tr><th className="font-medium">Country</th><th className="text-right font-medium">Messages</th><th className="text-right font-medium">Each</th><th className="text-right font-medium">Total</th></tr>
                </thead>
                <tbody>
                  {p.cost.byCountry.map((r) => (
                    <tr key={r.country}>
                      <td className="py-1">{r.country}</td>
                      <td className="py-1 text-right tabular-nums">{r.messages.toLocaleString("en")}</td>
                      <td className="py-1 text-right tabular-nums">{r.unitPrice}</td>
                      <td className="py-1 text-right tabular-nums">{r.total.toLocaleString("en", { maximumFractionDigits: 2 })}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </div>
        <div className="rounded-lg bg-white p-4 ring-1 ring-slate-200">
          <h2 className="mb-2 text-sm font-semibold">The first {p.previews.length} messages</h2>
          <ul className="max-h-96 space-y-2 overflow-y-auto" aria-label="Message previews">
            {p.previews.map((m) => (
              <li key={m.contactId} className="rounded-md bg-slate-50 p-2 text-sm">
                <div className="text-xs text-slate-500">{m.name ?? m.to} · variant {m.variant}</div>
                {m.header && <div className="font-semibold">{m.header}</div>}
                <div className="whitespace-pre-wrap">{m.body}</div>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </div>
  );
}

function Stat({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <div className="rounded-lg bg-white p-3 ring-1 ring-slate-200">
      <div className="text-xs uppercase tracking-wide text-slate-500">{label}</div>
      <div className="text-lg font-semibold tabular-nums" data-testid={testId}>{value}</div>
      {hint && <div className="text-xs text-slate-500">{hint}</div>}
    </div>
  );
}

function Progress({ c }: { c: CampaignResponse }) {
  const done = c.counters.sent + c.counters.failed;
  const total = done + c.counters.pending;
  const value = total ? Math.round((done / total) * 100) : 100;
  return (
    <div className="rounded-lg bg-white p-4 ring-1 ring-slate-200">
      <div className="mb-1 flex justify-between text-sm">
        <span>{c.status === "preparing" ? `Preparing recipients… ${c.counters.targeted.toLocaleString("en")} read so far` : `${done.toLocaleString("en")} of ${total.toLocaleString("en")} sent or settled`}</span>
        <span className="tabular-nums">{value}%</span>
      </div>
      <div role="progressbar" aria-label="Sending progress" aria-valuenow={value} aria-valuemin={0} aria-valuemax={100} className="h-2 overflow-hidden rounded-full bg-slate-100">
        <div className="h-full bg-brand-600 transition-all" style={{ width: `${value}%` }} />
      </div>
    </div>
  );
}

const FUNNEL: { key: "targeted" | "excluded" | "sent" | "delivered" | "read" | "replied" | "clicked" | "converted" | "failed"; label: string; retarget?: RetargetStep }[] = [
  { key: "targeted", label: "Targeted" },
  { key: "excluded", label: "Excluded" },
  { key: "sent", label: "Sent", retarget: "sent_not_delivered" },
  { key: "delivered", label: "Delivered", retarget: "delivered_not_read" },
  { key: "read", label: "Read", retarget: "read_not_replied" },
  { key: "replied", label: "Replied (72 h)", retarget: "replied" },
  { key: "clicked", label: "Clicked", retarget: "clicked" },
  { key: "converted", label: "Converted", retarget: "converted" },
  { key: "failed", label: "Failed", retarget: "failed" },
];

const RETARGET_LABEL: Record<RetargetStep, string> = {
  sent_not_delivered: "Sent, not delivered",
  delivered_not_read: "Delivered, not read",
  read_not_replied: "Read, not replied",
  replied: "Replied",
  clicked: "Clicked",
  not_clicked: "Did not click",
  failed: "Failed",
  converted: "Converted",
};

function Funnel({ c }: { c: CampaignResponse }) {
  const variants = Object.keys(c.byVariant).filter((k) => k !== "holdback" && (c.byVariant[k]?.targeted ?? 0) > 0);
  const control = c.byVariant.control;
  const converted = c.counters.converted - (control?.converted ?? 0);
  return (
    <div className="space-y-4">
      <div className="relative overflow-x-auto rounded-lg bg-white p-4 ring-1 ring-slate-200">
        <h2 className="mb-2 text-sm font-semibold">Funnel</h2>
        <table className="w-full text-sm" data-testid="funnel">
          <thead className="text-left text-slate-500">
            <tr>
              <th className="py-1 font-medium">Step</th>
              <th className="py-1 text-right font-medium">All</th>
              <th className="py-1 text-right font-medium">% of sent</th>
              {variants.length > 1 && variants.map((v) => <th key={v} className="py-1 text-right font-medium">{v === "control" ? "Control" : `Variant ${v}`}</th>)}
              <th className="py-1 text-right font-medium">
                <span className="sr-only">Retarget</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {FUNNEL.map((s) => (
              <tr key={s.key} data-step={s.key} className="border-t border-slate-100">
                <td className="py-1.5">{s.label}</td>
                <td className="py-1.5 text-right tabular-nums" data-testid={`funnel-${s.key}`}>{c.counters[s.key].toLocaleString("en")}</td>
                <td className="py-1.5 text-right tabular-nums text-slate-500">{["sent", "targeted", "excluded"].includes(s.key) ? "" : pct(c.counters[s.key], c.counters.sent)}</td>
                {variants.length > 1 && variants.map((v) => <td key={v} className="py-1.5 text-right tabular-nums">{(c.byVariant[v]?.[s.key] ?? 0).toLocaleString("en")}</td>)}
                <td className="py-1.5 text-right">{s.retarget && c.counters[s.key] > 0 && <RetargetButton id={c.id} step={s.retarget} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {c.counters.costMicros > 0 && <p className="mt-2 text-sm text-slate-600">Cost so far: {(c.counters.costMicros / 1_000_000).toLocaleString("en", { maximumFractionDigits: 2 })} (delivered, billable messages, priced with Settings’ table)</p>}
        {control && control.targeted > 0 && (
          <p className="mt-2 text-sm text-slate-600" data-testid="control-comparison">
            Conversion: {pct(converted, c.counters.sent)} of recipients vs {pct(control.converted, control.targeted)} of the control group ({control.targeted.toLocaleString("en")} not sent).
          </p>
        )}
        {c.winnerKey && <p className="mt-2 text-sm font-medium text-emerald-700">Variant {c.winnerKey} won; the held-back audience got it.</p>}
      </div>
      <div className="rounded-lg bg-white p-4 ring-1 ring-slate-200">
        <FunnelChart byVariant={c.byVariant} />
      </div>
      <div className="rounded-lg bg-white p-4 ring-1 ring-slate-200">
        <FunnelTimeline campaignId={c.id} live={c.status !== "draft" && c.status !== "cancelled"} />
      </div>
      {(Object.keys(c.failedBy).length > 0 || Object.keys(c.excludedBy).length > 0) && (
        <div className="grid gap-4 sm:grid-cols-2">
          <Breakdown title="Failed, by Meta's error code" rows={Object.entries(c.failedBy).map(([code, n]) => [code === "-2" ? "Contact gone or without a number" : `Error ${code}`, n])} />
          <Breakdown title="Excluded, by reason" rows={Object.entries(c.excludedBy).map(([r, n]) => [exclusionLabels[r as ExclusionReason] ?? r, n])} />
        </div>
      )}
    </div>
  );
}

function Breakdown({ title, rows }: { title: string; rows: [string, number][] }) {
  return (
    <div className="rounded-lg bg-white p-4 ring-1 ring-slate-200">
      <h2 className="mb-2 text-sm font-semibold">{title}</h2>
      {rows.length === 0 ? <p className="text-sm text-slate-500">None.</p> : (
        <table className="w-full text-sm"><tbody>{rows.map(([k, n]) => <tr key={k}><td className="py-1">{k}</td><td className="py-1 text-right tabular-nums">{n.toLocaleString("en")}</td></tr>)}</tbody></table>
      )}
    </div>
  );
}

function RetargetButton({ id, step }: { id: string; step: RetargetStep }) {
  const act = useAction();
  const [made, setMade] = useState<{ segmentId: string; members: number; name: string } | null>(null);
  if (made) {
    return (
      <Link className="text-xs text-brand-700 underline" href={`/contacts?segmentId=${made.segmentId}`}>
        Segment of {made.members.toLocaleString("en")} ready
      </Link>
    );
  }
  return (
    <span>
      <button
        type="button"
        className="text-xs text-brand-700 hover:underline disabled:text-slate-400"
        disabled={act.busy}
        onClick={async () => {
          const res = await act.run(() => sendJson<{ retarget: { segmentId: string; members: number; name: string } }>(`/api/campaigns/${id}/retarget`, "POST", { step }));
          if (res) setMade(res.retarget);
        }}
      >
        {act.busy ? "Building…" : `Retarget: ${RETARGET_LABEL[step].toLowerCase()}`}
      </button>
      {act.error && <span role="alert" className="ml-1 text-xs text-red-700">{act.error}</span>}
    </span>
  );
}

type RecipientRow = { id: string; name: string | null; to: string | null; variant: string; statusLabel: string; excludedReason: string | null; sentAt: string | null; deliveredAt: string | null; readAt: string | null; repliedAt: string | null; error: string | null };

function Recipients({ id }: { id: string }) {
  const [step, setStep] = useState<RetargetStep | "">("");
  const [pages, setPages] = useState<string[]>([""]);
  return (
    <div className="rounded-lg bg-white p-4 ring-1 ring-slate-200">
      <div className="mb-2 flex flex-wrap items-end justify-between gap-2">
        <h2 className="text-sm font-semibold">Recipients</h2>
        <div className="w-56">
          <SelectField label="Show" value={step} onChange={(e) => { setStep(e.target.value as RetargetStep | ""); setPages([""]); }}>
            <option value="">Everyone</option>
            {Object.entries(RETARGET_LABEL).map(([k, label]) => <option key={k} value={k}>{label}</option>)}
          </SelectField>
        </div>
      </div>
      <div className="relative overflow-x-auto">
        <table className="w-full text-sm" data-testid="recipients">
          <thead className="text-left text-slate-500">
            <tr><th className="py-1 font-medium">Contact</th><th className="py-1 font-medium">Variant</th><th className="py-1 font-medium">Status</th><th className="py-1 font-medium">Delivered</th><th className="py-1 font-medium">Read</th><th className="py-1 font-medium">Replied</th></tr>
          </thead>
          {pages.map((cursor, i) => <RecipientPage key={`${step}:${cursor}`} id={id} step={step} cursor={cursor} onMore={i === pages.length - 1 ? (next) => setPages((p) => [...p, next]) : null} />)}
        </table>
      </div>
    </div>
  );
}

function RecipientPage({ id, step, cursor, onMore }: { id: string; step: string; cursor: string; onMore: ((next: string) => void) | null }) {
  const qs = new URLSearchParams({ limit: "50", ...(step ? { step } : {}), ...(cursor ? { cursor } : {}) });
  const { data, error } = useSWR<{ recipients: RecipientRow[]; nextCursor: string | null }>(`/api/campaigns/${id}/recipients?${qs}`, fetcher, { refreshInterval: cursor ? 0 : 5000 });
  const time = (t: string | null) => (t ? new Date(t).toLocaleTimeString() : "");
  if (error) return <tbody><tr><td colSpan={6}><ErrorText>{(error as Error).message}</ErrorText></td></tr></tbody>;
  if (!data) return <tbody><tr><td colSpan={6} className="py-2 text-slate-500">Loading…</td></tr></tbody>;
  return (
    <tbody>
      {data.recipients.length === 0 && !cursor && <tr><td colSpan={6} className="py-3 text-center text-slate-500">No one at this step.</td></tr>}
      {data.recipients.map((r) => (
        <tr key={r.id} className="border-t border-slate-100">
          <td className="py-1">{r.name ?? r.to}<div className="text-xs text-slate-500">{r.to}</div></td>
          <td className="py-1">{r.variant}</td>
          <td className="py-1">{r.statusLabel}{r.excludedReason ? `: ${r.excludedReason}` : ""}{r.error ? <div className="text-xs text-red-700">{r.error}</div> : null}</td>
          <td className="py-1 tabular-nums">{time(r.deliveredAt)}</td>
          <td className="py-1 tabular-nums">{time(r.readAt)}</td>
          <td className="py-1 tabular-nums">{time(r.repliedAt)}</td>
        </tr>
      ))}
      {onMore && data.nextCursor && (
        <tr><td colSpan={6} className="pt-2"><Button variant="secondary" onClick={() => onMore(data.nextCursor!)}>Show more</Button></td></tr>
      )}
    </tbody>
  );
}
