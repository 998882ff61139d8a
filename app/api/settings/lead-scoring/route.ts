import { isDeepStrictEqual } from "node:util";
import { withOrg } from "@/lib/api/with-org";
import { enqueue } from "@/lib/jobs/enqueue";
import { leadScoringConfig } from "@/lib/schemas/lead-score";
import { scoreDistribution } from "@/lib/scoring/scores";
import { getSettings, updateSettings } from "@/lib/settings/settings";

export const runtime = "nodejs";

// GET /api/settings/lead-scoring: the scoring weights and decay, and how the organization's scores are distributed (admin)
export const GET = withOrg({ permission: "system:admin" }, async ({ orgId }) => {
  const [settings, distribution] = await Promise.all([getSettings(orgId), scoreDistribution(orgId)]);
  return { leadScoring: settings.leadScoring, distribution };
});

// PUT /api/settings/lead-scoring: replace the weights and decay (audited with the other settings); every score is recomputed in the background
export const PUT = withOrg({ permission: "system:admin", body: leadScoringConfig }, async ({ orgId, actor, body }) => {
  const before = await getSettings(orgId);
  const settings = await updateSettings(orgId, { leadScoring: body }, actor);
  // Only a real change rescores; the minute in the id folds a double click into one batch run.
  const rescoring = !isDeepStrictEqual(before.leadScoring, settings.leadScoring);
  if (rescoring) await enqueue("lead-scoring-nightly", { orgId: orgId.toHexString() }, { deduplicationId: `lead-scoring-settings:${orgId.toHexString()}:${Math.floor(Date.now() / 60_000)}` });
  return { leadScoring: settings.leadScoring, rescoring };
});
