import type { Document, ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import type { SessionUser } from "@/lib/auth/session";
import { scoped } from "@/lib/db/scoped";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import type { SettingsValues } from "@/lib/schemas/settings";
import { getSettings } from "@/lib/settings/settings";

export type Viewer = Pick<SessionUser, "_id" | "orgId" | "role">;

/** Agents see their own and unassigned conversations unless the organization widens it; everyone else sees all. */
export function seesAll(user: Viewer, settings: Pick<SettingsValues, "agentsSeeAllConversations">): boolean {
  return user.role !== "agent" || settings.agentsSeeAllConversations;
}

/** The filter that limits a query to what the user may see (empty when they see everything). */
export function visibilityFilter(user: Viewer, settings: Pick<SettingsValues, "agentsSeeAllConversations">): Document {
  return seesAll(user, settings) ? {} : { assigneeId: { $in: [user._id, null] } };
}

export function canSee(user: Viewer, settings: Pick<SettingsValues, "agentsSeeAllConversations">, c: Pick<ConversationDoc, "assigneeId">): boolean {
  return seesAll(user, settings) || c.assigneeId === null || c.assigneeId.equals(user._id);
}

/** The conversation if the user may see it: 404 when it does not exist in the org, 403 when it is someone else's. */
export async function getConversationForUser(user: Viewer, id: ObjectId): Promise<{ conversation: ConversationDoc; settings: SettingsValues }> {
  const [conversation, settings] = await Promise.all([scoped(user.orgId)("conversations").findOne({ _id: id }), getSettings(user.orgId)]);
  if (!conversation) throw new ApiError("not_found", "Conversation not found");
  if (!canSee(user, settings, conversation)) throw new ApiError("forbidden", "You do not have access to this conversation");
  return { conversation, settings };
}
