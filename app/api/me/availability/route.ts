import { withOrg } from "@/lib/api/with-org";
import { diff, recordActivity } from "@/lib/audit/audit";
import { updateUser } from "@/lib/team/users";
import { availabilityBody, toUserResponse } from "@/lib/schemas/user";

export const runtime = "nodejs";

// PUT /api/me/availability: the signed-in user sets online / away / busy / offline
export const PUT = withOrg({ body: availabilityBody }, async ({ orgId, user, body, actor }) => {
  const change = diff(user, body);
  const after = await updateUser(orgId, user._id, { availability: body.availability });
  if (change.changed) {
    await recordActivity(orgId, actor, { action: "user.availability_changed", entityType: "user", entityId: user._id, before: change.before, after: change.after });
  }
  return { user: toUserResponse(after) };
});
