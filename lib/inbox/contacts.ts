import type { ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import type { SessionUser } from "@/lib/auth/session";
import { getContact, toContactResponse } from "@/lib/contacts/contacts";
import { scoped } from "@/lib/db/scoped";
import type { ContactDoc } from "@/lib/schemas/contact";
import { stageLabels } from "@/lib/schemas/journey";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import { seesAll, visibilityFilter, type Viewer } from "./access";
import { toConversationResponse } from "./responses";

type ContactViewer = Viewer & Pick<SessionUser, "settings">;

/**
 * The contact if the user may see it: 404 when it is not in the organization, 403 when it has
 * conversations and the user may open none of them (the inbox's visibility rule, lib/inbox/access.ts,
 * applied to the person behind the conversations). A contact without conversations is visible.
 */
export async function getContactForUser(user: ContactViewer, id: ObjectId): Promise<ContactDoc> {
  const contact = await getContact(user.orgId, id);
  if (seesAll(user, user.settings)) return contact;
  const conversations = scoped(user.orgId)("conversations");
  const visible = await conversations.findOne({ contactId: id, ...visibilityFilter(user, user.settings) }, { projection: { _id: 1 } });
  if (!visible && (await conversations.findOne({ contactId: id }, { projection: { _id: 1 } }))) {
    throw new ApiError("forbidden", "You do not have access to this contact");
  }
  return contact;
}

/** The contact panel: the contact, their conversations the user may see, lead score when scored and journey stage when placed. */
export async function getContactPanel(user: ContactViewer, id: ObjectId) {
  const db = scoped(user.orgId);
  const contact = await getContactForUser(user, id);
  const visible = { contactId: id, ...visibilityFilter(user, user.settings) };
  // Counted with the user's visibility filter: a counter on the contact could not know what this user may see.
  const [conversations, conversationCount, leadScore] = await Promise.all([
    db("conversations").find(visible, { sort: { createdAt: -1 }, limit: 20 }).toArray(),
    db("conversations").countDocuments(visible),
    db("lead_scores").findOne({ contactId: id }, { projection: { score: 1, explanation: 1, locked: 1, computedAt: 1 } }),
  ]);
  // The stage is the contact's copy (lib/journey/journey.ts): the journey document keeps history.
  const journey = contact.journey ?? null;
  return {
    contact: toContactResponse(contact),
    conversations: (conversations as ConversationDoc[]).map(toConversationResponse),
    conversationCount,
    leadScore: leadScore ? { score: leadScore.locked?.score ?? leadScore.score, explanation: leadScore.explanation, locked: leadScore.locked !== null, computedAt: leadScore.computedAt.toISOString() } : null,
    journey: journey ? { stage: journey.stage, label: stageLabels(user.settings.journeyStageNames)[journey.stage], since: journey.since.toISOString() } : null,
  };
}
