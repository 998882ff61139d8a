import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withApiKey } from "@/lib/api/with-api-key";
import { getConversationForUser } from "@/lib/inbox/access";
import { toConversationResponse } from "@/lib/inbox/responses";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/v1/conversations/[id]: one conversation
export const GET = withApiKey({ scope: "conversations:read", params }, async ({ actingUser, params }) => {
  const { conversation } = await getConversationForUser(await actingUser(), params.id);
  return { conversation: toConversationResponse(conversation) };
});
