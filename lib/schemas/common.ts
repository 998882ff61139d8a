import type { ObjectId } from "mongodb";
import { z } from "zod";

/**
 * Schemas are shared with client components, so this folder never imports the mongodb runtime
 * (type imports only). ObjectIds are recognised by BSON's own type tag; `idParam` (string -> ObjectId)
 * lives server-side in lib/api/params.ts.
 */
export const objectId = z.custom<ObjectId>(
  (v) => typeof v === "object" && v !== null && (v as { _bsontype?: unknown })._bsontype === "ObjectId",
  "must be an ObjectId",
);

/** ObjectId in the database, 24-hex string at the API boundary (docs/architecture.md, "Ids"). */
export const idString = z.string().regex(/^[a-f0-9]{24}$/i, "must be a 24-character hex id");

/** Fields every tenant-owned document carries. */
export const tenantFields = {
  _id: objectId,
  orgId: objectId,
  createdAt: z.date(),
  updatedAt: z.date(),
};

/** Cursor pagination: `limit + 1` rows are read to compute `hasMore` (no offset scans). */
export const paginationQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

export const roles = ["admin", "supervisor", "agent", "marketer", "viewer"] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;
