import type { Metadata } from "next";
import Link from "next/link";
import { CampaignStatusBadge, pct } from "@/components/campaigns/status-badge";
import { requirePageUser } from "@/lib/auth/session";
import { listCampaigns } from "@/lib/campaigns/campaigns";

export const metadata: Metadata = { title: "Campaigns" };

type SearchParams = Promise<{ cursor?: string }>;

export default async function CampaignsPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requirePageUser("manage:campaigns");
  const { cursor } = await searchParams;
  const page = await listCampaigns(user.orgId, { cursor: cursor && /^\d{1,15}_[a-f0-9]{24}$/i.test(cursor) ? cursor : undefined, limit: 25 });
  return (
    <section className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">Campaigns</h1>
          <p className="text-sm text-slate-500">Approved templates sent to a segment at the number&apos;s throughput, each person once, with the funnel live.</p>
        </div>
        <Link href="/campaigns/new" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
          New campaign
        </Link>
      </div>
      {page.campaigns.length === 0 ? (
        <div className="rounded-lg bg-white p-8 text-center ring-1 ring-slate-200">
          <p className="font-medium">No campaigns yet</p>
          <p className="mt-1 text-sm text-slate-500">Pick an audience and an approved template; you will see the plan (who is excluded, the cost, how long it takes) before anything is sent.</p>
        </div>
      ) : (
        <div className="overflow-x-auto rounded-lg bg-white ring-1 ring-slate-200">
          <table className="w-full text-sm" data-testid="campaigns-table">
            <thead className="bg-slate-50 text-left text-slate-500">
              <tr>
                <th className="px-4 py-2 font-medium">Name</th>
                <th className="px-4 py-2 font-medium">Status</th>
                <th className="px-4 py-2 text-right font-medium">Sent</th>
                <th className="px-4 py-2 text-right font-medium">Delivered</th>
                <th className="px-4 py-2 text-right font-medium">Read</th>
                <th className="px-4 py-2 text-right font-medium">Replied</th>
                <th className="px-4 py-2 font-medium">Created</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {page.campaigns.map((c) => (
                <tr key={c._id.toHexString()}>
                  <td className="px-4 py-2">
                    <Link className="font-medium text-brand-700 hover:underline" href={`/campaigns/${c._id.toHexString()}`}>
                      {c.name}
                    </Link>
                    <div className="text-xs text-slate-500">{c.variants.map((v) => v.template.name).join(" vs ")}</div>
                  </td>
                  <td className="px-4 py-2">
                    <CampaignStatusBadge status={c.status} />
                  </td>
                  <td className="px-4 py-2 text-right tabular-nums">{c.counters.sent.toLocaleString("en")}</td>
                  <td className="px-4 py-2 text-right tabular-nums">{pct(c.counters.delivered, c.counters.sent)}</td>
                  <td className="px-4 py-2 text-right tabular-nums">{pct(c.counters.read, c.counters.sent)}</td>
                  <td className="px-4 py-2 text-right tabular-nums">{pct(c.counters.replied, c.counters.sent)}</td>
                  <td className="px-4 py-2 text-slate-500">{c.createdAt.toISOString().slice(0, 10)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.nextCursor && (
        <Link className="inline-block text-sm text-brand-700 hover:underline" href={`/campaigns?cursor=${page.nextCursor}`}>
          Older campaigns →
        </Link>
      )}
    </section>
  );
}
