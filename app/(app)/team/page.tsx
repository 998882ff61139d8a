import type { Metadata } from "next";
import { TeamManager } from "@/components/team/team-manager";
import { requirePageUser } from "@/lib/auth/session";
import { listUsers } from "@/lib/team/users";
import { toUserResponse } from "@/lib/schemas/user";

export const metadata: Metadata = { title: "Team" };

export default async function TeamPage() {
  const user = await requirePageUser("manage:agents");
  const users = (await listUsers(user.orgId)).map(toUserResponse);
  return <TeamManager initialUsers={users} currentUserId={user._id.toHexString()} />;
}
