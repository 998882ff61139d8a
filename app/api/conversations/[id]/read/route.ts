import { z } from "zod";
import { withOrg } from "@/lib/api/with-org";
import { getConversationForUser } from "@/lib/inbox/access";
import { markConversationRead } from "@/lib/inbox/actions";
import { toConversationResponse } from "@/lib/inbox/responses";
import { idParam } from "@/lib/api/params";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// POST /api/conversations/[id]/read: reset the unread count and send WhatsApp's read receipt
export const POST = withOrg({ permission: "write:messages", params }, async ({ user, actor, params }) => {
  const { conversation } = await getConversationForUser(user, params.id);
  return { conversation: toConversationResponse(await markConversationRead(user, actor, conversation)) };
});
