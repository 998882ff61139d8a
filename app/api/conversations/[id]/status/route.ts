import { z } from "zod";
import { withOrg } from "@/lib/api/with-org";
import { getConversationForUser } from "@/lib/inbox/access";
import { setConversationStatus } from "@/lib/inbox/actions";
import { toConversationResponse } from "@/lib/inbox/responses";
import { idParam } from "@/lib/api/params";
import { statusBody } from "@/lib/schemas/inbox";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// PUT /api/conversations/[id]/status: open, waiting, resolved, closed, or snoozed until a time
export const PUT = withOrg({ permission: "write:messages", params, body: statusBody }, async ({ user, actor, params, body }) => {
  const { conversation } = await getConversationForUser(user, params.id);
  return { conversation: toConversationResponse(await setConversationStatus(user, actor, conversation, body)) };
});
