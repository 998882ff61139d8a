import type { Filter, ObjectId } from "mongodb";
import { currentScope, withCommandScope } from "@/lib/db/command-log";
import { scoped } from "@/lib/db/scoped";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { SegmentGroup } from "@/lib/schemas/segment";
import { compileSegment } from "./compile";

/** The tag the index-coverage check knows segment queries by (tests/support/index-coverage/allow-list.ts). */
export const SEGMENT_SCOPE_TAG = "segment";

/**
 * Runs a query built from a segment definition. A segment is whatever filter a person composes, so
 * no set of indexes can serve every one: on Atlas such a query examines the organization's contacts
 * (bounded by the tenant, never the collection). The tag keeps that visible in the command log and
 * lets the coverage check accept exactly these queries, while a segment that an index does serve
 * (a tag, a consent state) is still reported as covered. The outer scope stays first, so a job's
 * segment query keeps using the jobs' pool.
 */
export function asSegmentQuery<T>(fn: () => Promise<T>): Promise<T> {
  return withCommandScope(`${currentScope() ?? "app"}|${SEGMENT_SCOPE_TAG}`, fn);
}

/**
 * A segment's filter as every audience uses it (the directory with its search, a saved segment, a
 * bulk action, later a campaign): erased contacts (tombstones) are never part of one.
 */
export function audienceFilter(definition: SegmentGroup | null, ...also: Filter<ContactDoc>[]): Filter<ContactDoc> {
  const compiled = definition ? compileSegment(definition) : {};
  const parts = [{ erasedAt: null }, ...also, compiled].filter((p) => Object.keys(p).length > 0) as Filter<ContactDoc>[];
  return parts.length === 1 ? parts[0]! : { $and: parts };
}

/** The live count of a segment, up to `cap`. */
export async function countSegment(orgId: ObjectId, definition: SegmentGroup, cap = 1_000_000): Promise<number> {
  const filter = audienceFilter(definition);
  return asSegmentQuery(() => scoped(orgId)("contacts").countDocuments(filter, { limit: cap }));
}

/** The first contacts of a segment, newest first (the builder's preview). */
export async function previewSegment(orgId: ObjectId, definition: SegmentGroup, limit = 20): Promise<ContactDoc[]> {
  const filter = audienceFilter(definition);
  return asSegmentQuery(() => scoped(orgId)("contacts").find(filter, { sort: { createdAt: -1, _id: -1 }, limit }).toArray());
}
