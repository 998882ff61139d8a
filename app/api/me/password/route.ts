import { withOrg } from "@/lib/api/with-org";
import { recordActivity } from "@/lib/audit/audit";
import { changePasswordBody } from "@/lib/schemas/user";
import { changePassword } from "@/lib/team/users";

export const runtime = "nodejs";

// POST /api/me/password: the signed-in user changes their own password; every session of theirs ends, this one included
export const POST = withOrg({ body: changePasswordBody }, async ({ orgId, user, body, actor }) => {
  await changePassword(orgId, user._id, body.currentPassword, body.newPassword);
  await recordActivity(orgId, actor, { action: "user.password_changed", entityType: "user", entityId: user._id });
  return { changed: true, signedOut: true };
});
