import type { Document, ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import type { SessionUser } from "@/lib/auth/session";
import { scoped } from "@/lib/db/scoped";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import type { SettingsValues } from "@/lib/schemas/settings";

export type Viewer = Pick<SessionUser, "_id" | "orgId" | "role">;
type Visibility = Pick<SettingsValues, "agentsSeeAllConversations">;

/** Agents see their own and unassigned conversations unless the organization widens it; everyone else sees all. */
export function seesAll(user: Viewer, settings: Visibility): boolean {
  return user.role !== "agent" || settings.agentsSeeAllConversations;
}

/** The filter that limits a query to what the user may see (empty when they see everything); `null` also matches a missing assignee. */
export function visibilityFilter(user: Viewer, settings: Visibility): Document {
  return seesAll(user, settings) ? {} : { assigneeId: { $in: [user._id, null] } };
}

/** `visibilityFilter` for one document already read (a missing assignee counts as none, as in the filter). */
export function canSee(user: Viewer, settings: Visibility, c: Partial<Pick<ConversationDoc, "assigneeId">>): boolean {
  return seesAll(user, settings) || c.assigneeId == null || c.assigneeId.equals(user._id);
}

/** 404 when the conversation does not exist in the org, 403 when it is someone else's. */
export function assertCanSee<C extends Partial<Pick<ConversationDoc, "assigneeId">>>(user: Viewer, settings: Visibility, conversation: C | null | undefined): C {
  if (!conversation) throw new ApiError("not_found", "Conversation not found");
  if (!canSee(user, settings, conversation)) throw new ApiError("forbidden", "You do not have access to this conversation");
  return conversation;
}

/** The conversation if the user may see it (the settings come with the session: one read). */
export async function getConversationForUser(user: Viewer & Pick<SessionUser, "settings">, id: ObjectId): Promise<{ conversation: ConversationDoc }> {
  return { conversation: assertCanSee(user, user.settings, await scoped(user.orgId)("conversations").findOne({ _id: id })) };
}
