import { ObjectId } from "mongodb";
import type { Actor } from "@/lib/audit/audit";
import { scoped } from "@/lib/db/scoped";
import type { ContactNoteDoc } from "@/lib/schemas/contact";
import { getContact } from "./contacts";

/** A teammate's note about the person (not about one conversation): shown in the contact's timeline. */
export async function addContactNote(orgId: ObjectId, actor: Actor, contactId: ObjectId, text: string): Promise<ContactNoteDoc> {
  await getContact(orgId, contactId);
  const now = new Date();
  const doc: Omit<ContactNoteDoc, "orgId"> = { _id: new ObjectId(), contactId, authorId: actor.id, authorName: actor.name, text, createdAt: now, updatedAt: now };
  await scoped(orgId)("contact_notes").insertOne(doc);
  return { ...doc, orgId };
}
