const statusStyle: Record<string, string> = {
  APPROVED: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  PENDING: "bg-amber-50 text-amber-700 ring-amber-200",
  REJECTED: "bg-red-50 text-red-700 ring-red-200",
  PAUSED: "bg-orange-50 text-orange-700 ring-orange-200",
  DISABLED: "bg-slate-100 text-slate-600 ring-slate-200",
  DELETED: "bg-slate-100 text-slate-500 ring-slate-200",
};

/** A template's Meta status as a coloured label (the list and the builder). */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`rounded px-1.5 py-0.5 text-xs font-medium ring-1 ${statusStyle[status] ?? statusStyle.DISABLED}`}>{status}</span>;
}
