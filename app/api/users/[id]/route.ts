import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { withOrg } from "@/lib/api/with-org";
import { diff, recordActivity } from "@/lib/audit/audit";
import { countActiveAdmins, getUserOrThrow, updateUser } from "@/lib/team/users";
import { idParam } from "@/lib/api/params";
import { toUserResponse, updateUserBody } from "@/lib/schemas/user";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/users/[id]: one team member (admin)
export const GET = withOrg({ permission: "manage:agents", params }, async ({ orgId, params }) => ({
  user: toUserResponse(await getUserOrThrow(orgId, params.id)),
}));

// PATCH /api/users/[id]: change name, role, cap, or deactivate/reactivate (admin)
export const PATCH = withOrg({ permission: "manage:agents", params, body: updateUserBody }, async ({ orgId, params, body, actor }) => {
  const before = await getUserOrThrow(orgId, params.id);
  const losesAdmin = before.role === "admin" && before.active && (body.active === false || (body.role && body.role !== "admin"));
  if (losesAdmin && (await countActiveAdmins(orgId)) <= 1) {
    throw new ApiError("conflict", "The organization needs at least one active admin");
  }
  const change = diff(before, body);
  if (!change.changed) return { user: toUserResponse(before) };
  const after = await updateUser(orgId, params.id, {
    ...body,
    ...(body.active === false ? { availability: "offline" as const } : {}),
  });
  const action = body.active === false ? "user.deactivated" : body.active === true ? "user.reactivated" : body.role ? "user.role_changed" : "user.updated";
  await recordActivity(orgId, actor, { action, entityType: "user", entityId: before._id, before: change.before, after: change.after });
  return { user: toUserResponse(after) };
});
