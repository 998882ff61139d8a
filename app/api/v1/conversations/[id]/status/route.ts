import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withApiKey } from "@/lib/api/with-api-key";
import { getConversationForUser } from "@/lib/inbox/access";
import { setConversationStatus } from "@/lib/inbox/actions";
import { toConversationResponse } from "@/lib/inbox/responses";
import { statusBody } from "@/lib/schemas/inbox";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// PUT /api/v1/conversations/[id]/status: open, waiting, resolved, closed, or snoozed until a time
export const PUT = withApiKey({ scope: "conversations:write", params, body: statusBody }, async ({ actingUser, actor, params, body }) => {
  const user = await actingUser();
  const { conversation } = await getConversationForUser(user, params.id);
  return { conversation: toConversationResponse(await setConversationStatus(user, actor, conversation, body)) };
});
