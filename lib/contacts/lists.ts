import { ObjectId } from "mongodb";
import { ApiError, isDuplicateKeyError } from "@/lib/api/errors";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { scoped } from "@/lib/db/scoped";
import type { ContactListDoc } from "@/lib/schemas/contact";
import { startBulkAction } from "./bulk";

/**
 * Static lists: a name, and the contacts put on it by hand, by a bulk action or by an import.
 * Membership is `listIds` on the contact (docs/contacts.md says why), so "on the list" is one more
 * segment condition and a list's members are one indexed query.
 */
export async function listContactLists(orgId: ObjectId): Promise<ContactListDoc[]> {
  return scoped(orgId)("contact_lists").find({}, { sort: { name: 1 }, limit: 200 }).toArray();
}

/**
 * The lists with their member counts, for where the counts are shown (the lists API): one capped
 * count per list, in parallel, on the (orgId, listIds) index. Pickers need names only.
 */
export async function listContactListsWithCounts(orgId: ObjectId): Promise<(ContactListDoc & { members: number })[]> {
  const lists = await listContactLists(orgId);
  const counts = await Promise.all(lists.map((l) => scoped(orgId)("contacts").countDocuments({ listIds: l._id, erasedAt: null }, { limit: 1_000_000 })));
  return lists.map((l, i) => ({ ...l, members: counts[i]! }));
}

export async function getContactList(orgId: ObjectId, id: ObjectId): Promise<ContactListDoc> {
  const list = await scoped(orgId)("contact_lists").findOne({ _id: id });
  if (!list) throw new ApiError("not_found", "List not found");
  return list;
}

export async function createContactList(orgId: ObjectId, actor: Actor, input: { name: string; description?: string | null }): Promise<ContactListDoc> {
  const now = new Date();
  const doc: Omit<ContactListDoc, "orgId"> = { _id: new ObjectId(), name: input.name, description: input.description ?? null, createdBy: actor.id, createdAt: now, updatedAt: now };
  try {
    await scoped(orgId)("contact_lists").insertOne(doc);
  } catch (err) {
    if (isDuplicateKeyError(err)) throw new ApiError("conflict", `A list named "${input.name}" already exists`);
    throw err;
  }
  await recordActivity(orgId, actor, { action: "contact_list.created", entityType: "contact_list", entityId: doc._id, after: { name: doc.name } });
  return { ...doc, orgId };
}

/**
 * Deletes the list; its contacts stay. Their membership is removed by a bulk action, so a list of
 * any size is deleted at once and cleaned up in the background (a deleted list's id matches no
 * list the UI offers meanwhile).
 */
export async function deleteContactList(orgId: ObjectId, actor: Actor, id: ObjectId): Promise<{ cleanup: string | null }> {
  const list = await getContactList(orgId, id);
  await scoped(orgId)("contact_lists").deleteOne({ _id: id });
  await recordActivity(orgId, actor, { action: "contact_list.deleted", entityType: "contact_list", entityId: id, before: { name: list.name } });
  const started = await startBulkAction(orgId, actor, {
    action: { kind: "remove_from_list", listId: id.toHexString() },
    definition: { match: "all", conditions: [{ field: "listIds", op: "has_any", value: [id.toHexString()] }] },
  });
  return { cleanup: "bulkAction" in started ? started.bulkAction._id.toHexString() : null };
}

export function toContactListResponse(l: ContactListDoc & { members?: number }) {
  return { id: l._id.toHexString(), name: l.name, description: l.description, members: l.members ?? null, createdAt: l.createdAt.toISOString() };
}
