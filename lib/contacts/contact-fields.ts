import type { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import { searchTokens } from "@/lib/search/tokens";

/** The contact fields search finds a contact by, and the snapshot its conversations carry. */
export type ContactSearchable = Pick<ContactDoc, "name" | "phone" | "username" | "email" | "company" | "identityKey">;

const SEARCHABLE = ["name", "phone", "username", "email", "company"] as const satisfies readonly (keyof ContactDoc)[];

/** A contact's search tokens: the one set the contacts list and the inbox's search by contact both use. */
export function contactSearchTokens(c: ContactSearchable): string[] {
  return searchTokens(c.name, c.phone, c.username, c.email, c.company);
}

/**
 * What a conversation keeps of its contact: the snapshot the inbox list shows (no join per row)
 * and the contact's search tokens (search by contact is one indexed query on conversations).
 */
export function conversationContactFields(c: ContactSearchable): Pick<ConversationDoc, "contact" | "searchTokens"> {
  return { contact: { name: c.name, phone: c.phone, identityKey: c.identityKey }, searchTokens: contactSearchTokens(c) };
}

/** Whether a change to a contact changes what its conversations carry of it. */
export function touchesConversations(changed: Partial<Record<keyof ContactDoc, unknown>>): boolean {
  return SEARCHABLE.some((k) => k in changed);
}

/** Rewrites the snapshot on every conversation of the contact after an edit (one multi-document update). */
export async function refreshConversationSnapshots(orgId: ObjectId, contact: ContactSearchable & { _id: ObjectId }, now: Date): Promise<void> {
  await scoped(orgId)("conversations").updateMany({ contactId: contact._id }, { $set: { ...conversationContactFields(contact), updatedAt: now } });
}
