import { ticketStatusLabels, type TicketStatus } from "@/lib/schemas/ticket";

const statusStyles: Record<TicketStatus, string> = {
  open: "bg-sky-50 text-sky-700 ring-sky-200",
  in_progress: "bg-amber-50 text-amber-800 ring-amber-200",
  waiting_customer: "bg-violet-50 text-violet-700 ring-violet-200",
  waiting_internal: "bg-orange-50 text-orange-700 ring-orange-200",
  resolved: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  closed: "bg-slate-100 text-slate-500 ring-slate-200",
};

export function TicketStatusBadge({ status, testId }: { status: TicketStatus; testId?: string }) {
  return (
    <span data-testid={testId} className={`inline-flex whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${statusStyles[status]}`}>
      {ticketStatusLabels[status]}
    </span>
  );
}

const priorityStyles: Record<string, string> = {
  low: "text-slate-500",
  normal: "text-slate-700",
  high: "font-medium text-orange-700",
  urgent: "font-semibold text-red-700",
};

export function TicketPriority({ priority }: { priority: string }) {
  return <span className={`text-xs capitalize ${priorityStyles[priority] ?? ""}`}>{priority}</span>;
}
