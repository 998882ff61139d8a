import type { MessageResponse } from "@/lib/schemas/inbox";

export type TickStatus = NonNullable<MessageResponse["status"]> | "pending";

const labels: Record<TickStatus, string> = { pending: "Sending", sent: "Sent", delivered: "Delivered", read: "Read", played: "Played", failed: "Failed" };
const tone: Partial<Record<TickStatus, string>> = { read: "text-sky-600", played: "text-sky-600", failed: "text-red-600" };

/**
 * A delivery status as a small inline icon (clock, ✓, ✓✓, blue ✓✓, !), drawn in SVG rather than
 * emoji or dingbat glyphs, which render as empty boxes where no emoji font is installed. It is
 * labelled for screen readers and shows the word on hover.
 */
export function StatusIcon({ status, label, className = "" }: { status: TickStatus; label?: string; className?: string }) {
  const text = label ?? labels[status];
  return (
    <svg
      role="img"
      aria-label={text}
      viewBox="0 0 16 16"
      width="16"
      height="16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      strokeLinecap="round"
      strokeLinejoin="round"
      className={`inline-block h-3.5 w-3.5 shrink-0 ${tone[status] ?? ""} ${className}`}
      data-icon={status}
    >
      <title>{text}</title>
      {status === "pending" && (
        <>
          <circle cx="8" cy="8" r="6" />
          <path d="M8 4.8V8l2.2 1.6" />
        </>
      )}
      {status === "sent" && <path d="M3.5 8.5l3 3 6-6.5" />}
      {(status === "delivered" || status === "read" || status === "played") && (
        <>
          <path d="M1 8.5l3 3 6-6.5" />
          <path d="M7.5 11l.5.5 6-6.5" />
        </>
      )}
      {status === "failed" && (
        <>
          <circle cx="8" cy="8" r="6.2" />
          <path d="M8 4.6v4.2" />
          <path d="M8 11.3v.1" strokeWidth="2" />
        </>
      )}
    </svg>
  );
}
