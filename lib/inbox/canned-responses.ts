import { ObjectId } from "mongodb";
import { ApiError, isDuplicateKeyError } from "@/lib/api/errors";
import { diff, recordActivity, type Actor } from "@/lib/audit/audit";
import { scoped } from "@/lib/db/scoped";
import type { CannedResponse } from "@/lib/schemas/canned-response";
import type { CannedResponseDoc } from "@/lib/schemas/template";

export function toCannedResponse(c: CannedResponseDoc): CannedResponse {
  return { id: c._id.toHexString(), shortcut: c.shortcut, title: c.title, body: c.body, updatedAt: c.updatedAt.toISOString() };
}

const taken = (shortcut: string) => new ApiError("conflict", `The shortcut /${shortcut} is already used by another saved reply`);

export async function listCannedResponses(orgId: ObjectId): Promise<CannedResponseDoc[]> {
  return (await scoped(orgId)("canned_responses").find({}, { sort: { shortcut: 1 }, limit: 1000 }).toArray()) as CannedResponseDoc[];
}

export async function createCannedResponse(orgId: ObjectId, actor: Actor, input: Pick<CannedResponseDoc, "shortcut" | "title" | "body">) {
  const now = new Date();
  const doc = { _id: new ObjectId(), ...input, createdBy: actor.id, createdAt: now, updatedAt: now };
  try {
    await scoped(orgId)("canned_responses").insertOne(doc);
  } catch (err) {
    if (isDuplicateKeyError(err)) throw taken(input.shortcut);
    throw err;
  }
  await recordActivity(orgId, actor, { action: "canned_response.created", entityType: "settings", entityId: doc._id, after: { shortcut: doc.shortcut, title: doc.title } });
  return { ...doc, orgId } as CannedResponseDoc;
}

export async function updateCannedResponse(orgId: ObjectId, actor: Actor, id: ObjectId, patch: Partial<Pick<CannedResponseDoc, "shortcut" | "title" | "body">>) {
  const db = scoped(orgId)("canned_responses");
  const before = await db.findOne({ _id: id });
  if (!before) throw new ApiError("not_found", "Saved reply not found");
  const change = diff(before, patch);
  if (!change.changed) return before;
  let updated;
  try {
    updated = await db.findOneAndUpdate({ _id: id }, { $set: { ...patch, updatedAt: new Date() } }, { returnDocument: "after" });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw taken(patch.shortcut!);
    throw err;
  }
  await recordActivity(orgId, actor, { action: "canned_response.updated", entityType: "settings", entityId: id, before: change.before, after: change.after });
  return updated as CannedResponseDoc;
}

export async function deleteCannedResponse(orgId: ObjectId, actor: Actor, id: ObjectId) {
  const db = scoped(orgId)("canned_responses");
  const before = await db.findOne({ _id: id });
  if (!before) throw new ApiError("not_found", "Saved reply not found");
  await db.deleteOne({ _id: id });
  await recordActivity(orgId, actor, { action: "canned_response.deleted", entityType: "settings", entityId: id, before: { shortcut: before.shortcut, title: before.title } });
}
