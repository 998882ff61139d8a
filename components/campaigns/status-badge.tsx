import type { CampaignStatus } from "@/lib/schemas/campaign";

const styles: Record<CampaignStatus, string> = {
  draft: "bg-slate-100 text-slate-700 ring-slate-200",
  scheduled: "bg-sky-50 text-sky-700 ring-sky-200",
  preparing: "bg-amber-50 text-amber-700 ring-amber-200",
  sending: "bg-amber-50 text-amber-800 ring-amber-300",
  paused: "bg-orange-50 text-orange-700 ring-orange-200",
  completed: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  cancelled: "bg-slate-100 text-slate-500 ring-slate-200",
};

export function CampaignStatusBadge({ status, testId }: { status: CampaignStatus; testId?: string }) {
  return <span data-testid={testId} className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${styles[status]}`}>{status}</span>;
}

/** "42%" of a whole, or "–" when there is nothing to divide by. */
export function pct(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((part / whole) * 100)}%` : "–";
}
