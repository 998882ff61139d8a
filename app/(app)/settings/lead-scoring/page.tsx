import type { Metadata } from "next";
import { LeadScoringForm } from "@/components/settings/lead-scoring-form";
import { ScoreDistributionChart } from "@/components/settings/score-distribution-chart";
import { requirePageUser } from "@/lib/auth/session";
import { scoreDistribution } from "@/lib/scoring/scores";
import { getSettings } from "@/lib/settings/settings";

export const metadata: Metadata = { title: "Lead scoring" };

/** The scoring weights and decay, and how the organization's contacts are spread over the scores. */
export default async function LeadScoringSettingsPage() {
  const user = await requirePageUser("system:admin");
  const [settings, distribution] = await Promise.all([getSettings(user.orgId), scoreDistribution(user.orgId)]);
  return (
    <div className="space-y-6">
      <section aria-labelledby="distribution-h" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="distribution-h" className="text-base font-semibold">
          Score distribution
        </h2>
        <p className="text-sm text-slate-600">
          {distribution.scored} contacts scored{distribution.locked ? `, ${distribution.locked} locked by hand` : ""}. Scores are recomputed when a customer writes and every night (decay moves quiet contacts down).
        </p>
        <ScoreDistributionChart distribution={distribution} />
      </section>
      <LeadScoringForm initial={settings.leadScoring} />
    </div>
  );
}
