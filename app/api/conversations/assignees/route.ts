import { withOrg } from "@/lib/api/with-org";
import { listAssignees } from "@/lib/team/users";

export const runtime = "nodejs";

// GET /api/conversations/assignees: active team members who can hold conversations (names for the list, the assign menu and @mentions)
export const GET = withOrg({ permission: "read:conversations" }, async ({ user }) => ({ assignees: await listAssignees(user.orgId) }));
