import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { getContactForUser } from "@/lib/inbox/contacts";
import { lockScoreBody } from "@/lib/schemas/lead-score";
import { getLeadScore, setScoreLock } from "@/lib/scoring/scores";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/contacts/[id]/score: the lead score with its explanation, evidence and history (null: not scored yet);
// the contact panel's visibility rule applies (404 outside the organization, 403 for an agent who may open none of its conversations)
export const GET = withOrg({ permission: "read:conversations", params }, async ({ user, orgId, params }) => {
  await getContactForUser(user, params.id);
  return { score: await getLeadScore(orgId, params.id) };
});

// PUT /api/contacts/[id]/score: lock the score (jobs stop changing it) or unlock it (rescored at once); audited
export const PUT = withOrg({ permission: "manage:contacts", params, body: lockScoreBody }, async ({ user, orgId, actor, params, body }) => {
  return { score: await setScoreLock(orgId, { ...actor, id: user._id }, params.id, body.locked) };
});
