import type { Integrations } from "@/lib/env";

const labels = {
  whatsapp: { meta: null, simulator: "WhatsApp: local simulator", unconfigured: "WhatsApp: not connected" },
  ai: { gemini: null, offline: "Offline AI (no Gemini key)" },
  jobs: { qstash: null, "in-process": "Jobs: in-process (no QStash)" },
} as const;

/** Says when the product runs on a local stand-in instead of the real service. */
export function IntegrationsBadge({ integrations }: { integrations: Integrations }) {
  const notes = [labels.whatsapp[integrations.whatsapp], labels.ai[integrations.ai], labels.jobs[integrations.jobs]].filter(Boolean);
  if (!notes.length) return null;
  return (
    <div data-testid="integrations-badge" className="flex flex-wrap gap-1.5">
      {notes.map((n) => (
        <span key={n} className="rounded-full bg-amber-50 px-2 py-0.5 text-xs text-amber-800 ring-1 ring-amber-200">
          {n}
        </span>
      ))}
    </div>
  );
}
