import type { Metadata } from "next";
import Link from "next/link";
import { ReplayButton } from "@/components/webhook-events/replay-button";
import { requirePageUser } from "@/lib/auth/session";
import { countWebhookEvents, listWebhookEvents, webhookOutcomes, type WebhookOutcome } from "@/lib/webhook/events-admin";

export const metadata: Metadata = { title: "Webhook events" };

const PAGE_SIZE = 25;
const outcomeStyle: Record<WebhookOutcome, string> = {
  processed: "bg-emerald-100 text-emerald-800",
  unprocessed: "bg-amber-100 text-amber-800",
  invalid_json: "bg-red-100 text-red-800",
  failed: "bg-red-100 text-red-800",
};

export default async function WebhookEventsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser("system:admin");
  const sp = await searchParams;
  const outcome = webhookOutcomes.find((o) => o === sp.outcome);
  const cursor = typeof sp.cursor === "string" ? sp.cursor : undefined;
  const [{ events, nextCursor }, counts] = await Promise.all([
    listWebhookEvents(user.orgId, { cursor, limit: PAGE_SIZE, outcome }),
    countWebhookEvents(user.orgId),
  ]);
  const href = (q: { outcome?: string; cursor?: string }) => {
    const p = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => !!e[1]));
    return `/settings/webhook-events${p.size ? `?${p}` : ""}`;
  };
  return (
    <section className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Webhook events</h1>
        <p className="text-slate-500">Every envelope Meta posted for your organization&apos;s WhatsApp numbers, as received, with what ingestion made of it. Replaying one is safe: messages and statuses already stored stay stored once.</p>
      </div>
      <nav aria-label="Filter by outcome" className="flex flex-wrap gap-2 text-sm">
        <Link href={href({})} className={`rounded-full px-3 py-1 ring-1 ring-slate-300 ${!outcome ? "bg-slate-800 text-white" : "bg-white"}`}>
          All
        </Link>
        {webhookOutcomes.map((o) => (
          <Link key={o} href={href({ outcome: o })} data-testid={`outcome-filter-${o}`} className={`rounded-full px-3 py-1 ring-1 ring-slate-300 ${outcome === o ? "bg-slate-800 text-white" : "bg-white"}`}>
            {o.replace("_", " ")} <span className="tabular-nums">({counts[o]})</span>
          </Link>
        ))}
      </nav>
      {events.length === 0 ? (
        <p className="rounded-lg bg-white p-6 text-center text-slate-500 ring-1 ring-slate-200">No webhook events{outcome ? ` with outcome ${outcome.replace("_", " ")}` : ""}.</p>
      ) : (
        <ol className="divide-y divide-slate-100 rounded-lg bg-white ring-1 ring-slate-200">
          {events.map((e) => (
            <li key={e.id} data-testid={`webhook-event-${e.id}`} className={`grid gap-2 px-4 py-3 md:grid-cols-[11rem_1fr_auto] ${e.outcome === "processed" ? "" : "bg-amber-50/60"}`}>
              <div className="space-y-1">
                <time className="block text-slate-600" dateTime={e.receivedAt}>{e.receivedAt.replace("T", " ").slice(0, 19)} UTC</time>
                <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${outcomeStyle[e.outcome]}`}>{e.outcome.replace("_", " ")}</span>
              </div>
              <div className="min-w-0 space-y-1 text-sm">
                <p className="text-slate-700">
                  {e.counts.messages} message(s), {e.counts.statuses} status(es), {e.counts.other} other · {e.attempts} attempt(s)
                </p>
                {e.reason && <p className={e.outcome === "processed" ? "text-slate-500" : "text-amber-900"}>{e.reason}</p>}
                <details>
                  <summary className="cursor-pointer text-xs text-slate-500">Raw body ({e.rawBody.length} bytes)</summary>
                  <pre className="mt-1 max-h-80 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 text-xs">{pretty(e.rawBody)}</pre>
                </details>
              </div>
              <div className="text-right">
                <ReplayButton id={e.id} />
              </div>
            </li>
          ))}
        </ol>
      )}
      {(cursor || nextCursor) && (
        <nav aria-label="Pages" className="flex justify-between text-sm">
          {cursor ? <Link href={href({ outcome })} className="text-brand-700 hover:underline">Newest</Link> : <span />}
          {nextCursor && <Link href={href({ outcome, cursor: nextCursor })} className="text-brand-700 hover:underline">Older</Link>}
        </nav>
      )}
    </section>
  );
}

/** Shows the JSON indented when it parses; the bytes as received otherwise (that is what invalid_json keeps). */
function pretty(raw: string) {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}
