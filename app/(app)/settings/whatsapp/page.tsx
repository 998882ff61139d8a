import type { Metadata } from "next";
import { AccountSendingForm } from "@/components/settings/account-sending-form";
import { requirePageUser } from "@/lib/auth/session";
import { unescapeKeys } from "@/lib/db/safe-keys";
import { scoped } from "@/lib/db/scoped";

export const metadata: Metadata = { title: "WhatsApp numbers" };

/** How many of Meta's account events each number shows (the newest ones). */
const RECENT_EVENTS = 10;

const qualityStyle: Record<string, string> = {
  GREEN: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  YELLOW: "bg-amber-50 text-amber-700 ring-amber-200",
  RED: "bg-red-50 text-red-700 ring-red-200",
};

/**
 * The organization's WhatsApp numbers as Meta reports them: quality rating, messaging limit and
 * throughput kept current by the account webhooks, a refused access token, and the latest events.
 */
export default async function WhatsappNumbersPage() {
  const user = await requirePageUser("system:admin");
  const accounts = await scoped(user.orgId)("whatsapp_accounts").find({}, { sort: { createdAt: 1 } }).toArray();
  return (
    <section className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">WhatsApp numbers</h1>
        <p className="text-sm text-slate-500">Quality, limits and account events as Meta reports them through its webhooks.</p>
      </div>
      {accounts.length === 0 && (
        <p className="rounded-lg bg-white p-6 text-center text-slate-500 ring-1 ring-slate-200">
          No WhatsApp number yet. Set WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_BUSINESS_ACCOUNT_ID (see docs/setup.md) and restart.
        </p>
      )}
      {accounts.map((a) => {
        const events = [...(a.events ?? [])].sort((x, y) => y.at.getTime() - x.at.getTime()).slice(0, RECENT_EVENTS).map((e) => ({ ...e, value: unescapeKeys(e.value) }));
        const quality = a.qualityRating ?? "UNKNOWN";
        return (
          <article key={a._id.toHexString()} data-testid="whatsapp-number" className="space-y-3 rounded-lg bg-white p-4 ring-1 ring-slate-200">
            <header className="flex flex-wrap items-baseline justify-between gap-2">
              <h2 className="text-base font-semibold">{a.verifiedName || a.displayPhoneNumber || a.phoneNumberId}</h2>
              <span className="text-sm text-slate-500">{a.displayPhoneNumber}</span>
            </header>
            {a.tokenError && (
              <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
                Meta refused the access token ({a.tokenError.message}, code {a.tokenError.code}) on {a.tokenError.at.toISOString().slice(0, 16).replace("T", " ")} UTC: renew it to send messages.
              </p>
            )}
            <dl className="grid grid-cols-2 gap-3 text-sm md:grid-cols-6">
              <div><dt className="text-slate-500">Quality</dt><dd><span className={`rounded px-1.5 py-0.5 text-xs ring-1 ${qualityStyle[quality] ?? "bg-slate-100 text-slate-600 ring-slate-200"}`}>{quality}</span></dd></div>
              <div><dt className="text-slate-500">Messaging limit</dt><dd>{a.messagingLimit ?? "unknown"}</dd></div>
              <div><dt className="text-slate-500">Throughput</dt><dd>{a.throughputMps} msg/s</dd></div>
              <div><dt className="text-slate-500">Status</dt><dd>{a.status}</dd></div>
              <div><dt className="text-slate-500">Phone number id</dt><dd className="font-mono text-xs">{a.phoneNumberId}</dd></div>
              <div><dt className="text-slate-500">WABA id</dt><dd className="font-mono text-xs">{a.wabaId || "—"}</dd></div>
            </dl>
            <AccountSendingForm id={a._id.toHexString()} throughputMps={a.throughputMps} marketingMessagesApi={a.marketingMessagesApi ?? false} />
            <div>
              <h3 className="mb-1 text-sm font-medium text-slate-700">Latest account events</h3>
              {events.length === 0 ? (
                <p className="text-sm text-slate-500">None received yet.</p>
              ) : (
                <ol className="divide-y divide-slate-100 text-sm">
                  {events.map((e, i) => (
                    <li key={i} className="grid gap-1 py-1.5 md:grid-cols-[11rem_14rem_1fr]">
                      <time className="text-slate-500" dateTime={e.at.toISOString()}>{e.at.toISOString().slice(0, 16).replace("T", " ")} UTC</time>
                      <code className="text-xs">{e.field}</code>
                      <span className="truncate text-slate-600" title={JSON.stringify(e.value)}>{JSON.stringify(e.value)}</span>
                    </li>
                  ))}
                </ol>
              )}
            </div>
          </article>
        );
      })}
    </section>
  );
}
