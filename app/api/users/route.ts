import { recordActivity } from "@/lib/audit/audit";
import { createUser, listUsers } from "@/lib/team/users";
import { withOrg } from "@/lib/api/with-org";
import { generatePassword } from "@/lib/auth/password";
import { createUserBody, toUserResponse } from "@/lib/schemas/user";

export const runtime = "nodejs";

// GET /api/users: the team (admin)
export const GET = withOrg({ permission: "manage:agents" }, async ({ orgId }) => {
  const users = await listUsers(orgId);
  return { users: users.map(toUserResponse) };
});

// POST /api/users: create a user with a role; the one-time password is returned once and never stored in clear
export const POST = withOrg({ permission: "manage:agents", body: createUserBody }, async ({ orgId, body, actor }) => {
  const password = generatePassword();
  const user = await createUser(orgId, { ...body, password, createdBy: actor.id });
  await recordActivity(orgId, actor, {
    action: "user.created",
    entityType: "user",
    entityId: user._id,
    after: { email: user.email, name: user.name, role: user.role },
  });
  return Response.json({ user: toUserResponse(user), oneTimePassword: password }, { status: 201 });
});
