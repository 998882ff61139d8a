import { ObjectId } from "mongodb";
import { ApiError, isDuplicateKeyError } from "@/lib/api/errors";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { scoped } from "@/lib/db/scoped";
import type { SegmentDoc, SegmentGroup } from "@/lib/schemas/segment";
import { compileSegment } from "./compile";

/** Saved segments: a name and a definition. Compiled on save too, so a segment that cannot run is never stored. */
export type SegmentInput = { name: string; description?: string | null; definition: SegmentGroup };

export async function listSegments(orgId: ObjectId): Promise<SegmentDoc[]> {
  return scoped(orgId)("segments").find({}, { sort: { name: 1 }, limit: 500 }).toArray();
}

export async function getSegment(orgId: ObjectId, id: ObjectId): Promise<SegmentDoc> {
  const segment = await scoped(orgId)("segments").findOne({ _id: id });
  if (!segment) throw new ApiError("not_found", "Segment not found");
  return segment;
}

const taken = (name: string) => new ApiError("conflict", `A segment named "${name}" already exists`);

export async function createSegment(orgId: ObjectId, actor: Actor, input: SegmentInput): Promise<SegmentDoc> {
  compileSegment(input.definition);
  const now = new Date();
  const doc: Omit<SegmentDoc, "orgId"> = {
    _id: new ObjectId(),
    name: input.name,
    description: input.description ?? null,
    definition: input.definition,
    createdBy: actor.id,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await scoped(orgId)("segments").insertOne(doc);
  } catch (err) {
    if (isDuplicateKeyError(err)) throw taken(input.name);
    throw err;
  }
  await recordActivity(orgId, actor, { action: "segment.created", entityType: "segment", entityId: doc._id, after: { name: doc.name } });
  return { ...doc, orgId };
}

export async function updateSegment(orgId: ObjectId, actor: Actor, id: ObjectId, input: SegmentInput): Promise<SegmentDoc> {
  compileSegment(input.definition);
  let updated;
  try {
    updated = await scoped(orgId)("segments").findOneAndUpdate(
      { _id: id },
      { $set: { name: input.name, description: input.description ?? null, definition: input.definition, updatedAt: new Date() } },
      { returnDocument: "before" },
    );
  } catch (err) {
    if (isDuplicateKeyError(err)) throw taken(input.name);
    throw err;
  }
  if (!updated) throw new ApiError("not_found", "Segment not found");
  await recordActivity(orgId, actor, { action: "segment.updated", entityType: "segment", entityId: id, before: { name: updated.name, definition: updated.definition }, after: { name: input.name, definition: input.definition } });
  return { ...updated, name: input.name, description: input.description ?? null, definition: input.definition };
}

export async function deleteSegment(orgId: ObjectId, actor: Actor, id: ObjectId): Promise<void> {
  const deleted = await getSegment(orgId, id);
  const { deletedCount } = await scoped(orgId)("segments").deleteOne({ _id: id });
  if (deletedCount === 0) throw new ApiError("not_found", "Segment not found");
  await recordActivity(orgId, actor, { action: "segment.deleted", entityType: "segment", entityId: id, before: { name: deleted.name, definition: deleted.definition } });
}

export function toSegmentResponse(s: SegmentDoc) {
  return { id: s._id.toHexString(), name: s.name, description: s.description, definition: s.definition, createdAt: s.createdAt.toISOString(), updatedAt: s.updatedAt.toISOString() };
}
