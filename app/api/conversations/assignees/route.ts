import { withOrg } from "@/lib/api/with-org";
import type { AssigneeResponse } from "@/lib/schemas/inbox";

export const runtime = "nodejs";

// GET /api/conversations/assignees: active team members who can hold conversations (names for the list, the assign menu and @mentions)
export const GET = withOrg({ permission: "read:conversations" }, async ({ db }) => {
  const users = await db("users").find({ active: true, role: { $ne: "viewer" } }, { sort: { name: 1 }, projection: { _id: 1, name: 1, role: 1, availability: 1 } }).toArray();
  const assignees: AssigneeResponse[] = users.map((u) => ({ id: u._id.toHexString(), name: u.name, role: u.role, availability: u.availability }));
  return { assignees };
});
