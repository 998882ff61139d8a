import { GridFSBucket, ObjectId } from "mongodb";
import { getDb } from "@/lib/db/client";

/**
 * Media bytes live in the GridFS bucket `media` (media.files / media.chunks; the driver creates
 * their indexes on first write). Every file's metadata carries its orgId, and every read checks it:
 * a file id alone never grants access across organizations.
 */
export type StoredMediaMeta = {
  orgId: ObjectId;
  mimeType: string;
  source: "inbound" | "upload";
  /** The message it belongs to (inbound downloads) or null (composer uploads, before sending). */
  messageId: ObjectId | null;
  uploadedBy: ObjectId | null;
};

function bucket() {
  return new GridFSBucket(getDb(), { bucketName: "media" });
}

export async function saveMedia(file: { bytes: Uint8Array; filename: string; meta: StoredMediaMeta }): Promise<ObjectId> {
  const id = new ObjectId();
  const upload = bucket().openUploadStreamWithId(id, file.filename, { metadata: file.meta });
  await new Promise<void>((resolve, reject) => {
    upload.once("finish", () => resolve());
    upload.once("error", reject);
    upload.end(Buffer.from(file.bytes));
  });
  return id;
}

export type StoredMedia = { id: ObjectId; filename: string; length: number; meta: StoredMediaMeta };

/** The file's record if it belongs to the organization, else null. */
export async function findMedia(orgId: ObjectId, fileId: ObjectId): Promise<StoredMedia | null> {
  const file = await bucket().find({ _id: fileId, "metadata.orgId": orgId }, { limit: 1 }).next();
  if (!file) return null;
  return { id: file._id as ObjectId, filename: file.filename, length: file.length, meta: file.metadata as StoredMediaMeta };
}

export async function openMediaStream(fileId: ObjectId) {
  return bucket().openDownloadStream(fileId);
}

export async function readMedia(orgId: ObjectId, fileId: ObjectId): Promise<(StoredMedia & { bytes: Buffer }) | null> {
  const file = await findMedia(orgId, fileId);
  if (!file) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of await openMediaStream(fileId)) chunks.push(chunk as Buffer);
  return { ...file, bytes: Buffer.concat(chunks) };
}

export async function deleteMedia(fileId: ObjectId): Promise<void> {
  await bucket().delete(fileId);
}
