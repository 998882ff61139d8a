import { ApiError } from "@/lib/api/errors";
import type { SessionUser } from "@/lib/auth/session";
import type { Actor } from "@/lib/audit/audit";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import { assignConversation, type ActingUser } from "./actions";

/**
 * An agent's reply to an unassigned conversation makes it theirs when the organization's
 * `autoAssignOnReply` is on (the default, as in Chatwoot), so the team stops seeing it as
 * unassigned and round-robin leaves it alone. It goes through `assignConversation`: the same
 * system line ("… took the conversation") and `conversation.assigned` audit entry as "Assign to
 * me". Someone taking it at the same moment keeps it; the reply is not refused for that.
 * Returns the updated conversation, or null when nothing changed.
 */
export async function assignOnReply(user: ActingUser & Pick<SessionUser, "settings">, actor: Actor, conversation: ConversationDoc): Promise<ConversationDoc | null> {
  if (!user.settings.autoAssignOnReply || conversation.assigneeId) return null;
  try {
    return await assignConversation(user, actor, conversation, user._id);
  } catch (err) {
    if (err instanceof ApiError && err.code === "conflict") return null;
    throw err;
  }
}
