import { ObjectId, type Document } from "mongodb";
import { ApiError } from "@/lib/api/errors";

/**
 * Compound keyset cursor `(time, _id)`: `<epoch ms>_<24 hex>`. Sorting by time alone would skip or
 * repeat rows sharing a timestamp; the id breaks ties, so pages never overlap and never use skip.
 */
export function encodeCursor(at: Date, id: ObjectId): string {
  return `${at.getTime()}_${id.toHexString()}`;
}

export function decodeCursor(cursor: string): { at: Date; id: ObjectId } {
  const m = /^(\d{1,15})_([a-f0-9]{24})$/i.exec(cursor);
  if (!m) throw new ApiError("bad_request", "The cursor is not valid; start from the first page");
  return { at: new Date(Number(m[1])), id: new ObjectId(m[2]) };
}

/** Rows strictly after the cursor in `(field desc, _id desc)` order. */
export function beforeCursor(field: string, cursor: string): Document {
  const { at, id } = decodeCursor(cursor);
  return { $or: [{ [field]: { $lt: at } }, { [field]: at, _id: { $lt: id } }] };
}
