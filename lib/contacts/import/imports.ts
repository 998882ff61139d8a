import { Readable } from "node:stream";
import { GridFSBucket, ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { getDb } from "@/lib/db/client";
import { scoped } from "@/lib/db/scoped";
import { enqueue } from "@/lib/jobs/enqueue";
import type { ContactImportDoc, ImportConfig } from "@/lib/schemas/contact-import";
import { CsvFormatError, readHeaders } from "./read-csv";

/**
 * Uploaded CSVs live in the GridFS bucket `imports` (imports.files / imports.chunks), each with its
 * orgId in the metadata; the import document in `contact_imports` holds the mapping and progress.
 */
type ImportFileMeta = { orgId: ObjectId; uploadedBy: ObjectId | null };

function bucket() {
  return new GridFSBucket(getDb(), { bucketName: "imports" });
}

/** The import's file as a stream, checked against the organization (a file id alone grants nothing). */
export async function openImportFile(orgId: ObjectId, fileId: ObjectId): Promise<Readable> {
  const file = await bucket().find({ _id: fileId, "metadata.orgId": orgId }, { limit: 1 }).next();
  if (!file) throw new ApiError("not_found", "The import's file is gone");
  return bucket().openDownloadStream(fileId);
}

/** Stores an uploaded CSV and its header names (the mapping step's columns); status "uploaded". */
export async function createImport(orgId: ObjectId, actor: Actor & { id: ObjectId }, file: { filename: string; bytes: Uint8Array }): Promise<ContactImportDoc> {
  let headers: string[];
  try {
    headers = await readHeaders(Readable.from([Buffer.from(file.bytes)]));
  } catch (err) {
    if (err instanceof CsvFormatError) throw new ApiError("unprocessable_entity", err.message);
    throw err;
  }
  if (headers.length === 0) throw new ApiError("unprocessable_entity", "The file is empty: the first line must name the columns");
  const fileId = new ObjectId();
  const upload = bucket().openUploadStreamWithId(fileId, file.filename, { metadata: { orgId, uploadedBy: actor.id } satisfies ImportFileMeta });
  await new Promise<void>((resolve, reject) => {
    upload.once("finish", () => resolve());
    upload.once("error", reject);
    upload.end(Buffer.from(file.bytes));
  });
  const now = new Date();
  const doc: Omit<ContactImportDoc, "orgId"> = {
    _id: new ObjectId(),
    createdBy: actor.id,
    filename: file.filename,
    bytes: file.bytes.byteLength,
    fileId,
    status: "uploaded",
    mapping: null,
    options: null,
    headers,
    progress: { rowsDone: 0, created: 0, updated: 0, skipped: 0, invalid: 0 },
    cursor: 0,
    error: null,
    startedAt: null,
    finishedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await scoped(orgId)("contact_imports").insertOne(doc);
  await recordActivity(orgId, actor, { action: "contact_import.uploaded", entityType: "contact_import", entityId: doc._id, after: { filename: doc.filename, bytes: doc.bytes } });
  return { ...doc, orgId };
}

export async function getImportOrThrow(orgId: ObjectId, importId: ObjectId): Promise<ContactImportDoc> {
  const doc = await scoped(orgId)("contact_imports").findOne({ _id: importId });
  if (!doc) throw new ApiError("not_found", "Import not found");
  return doc;
}

/** The imports page, newest first. */
export function listImports(orgId: ObjectId, limit = 50): Promise<ContactImportDoc[]> {
  return scoped(orgId)("contact_imports").find({}, { sort: { createdAt: -1 }, limit }).toArray();
}

/**
 * Fixes the mapping and options of an uploaded import and starts the `contact-import` job. Once
 * started, the mapping never changes (a resumed run must read the file the same way).
 */
export async function startImport(orgId: ObjectId, actor: Actor, importId: ObjectId, config: ImportConfig): Promise<ContactImportDoc> {
  const current = await getImportOrThrow(orgId, importId);
  const unknown = config.mapping.find((m) => !current.headers.includes(m.column));
  if (unknown) throw new ApiError("unprocessable_entity", `The file has no column "${unknown.column}"`);
  if (config.options.listId && !(await scoped(orgId)("contact_lists").findOne({ _id: new ObjectId(config.options.listId) }, { projection: { _id: 1 } }))) {
    throw new ApiError("not_found", "List not found");
  }
  const now = new Date();
  const imports = scoped(orgId)("contact_imports");
  const started = await imports.findOneAndUpdate(
    { _id: importId, status: "uploaded" },
    { $set: { status: "running", mapping: config.mapping, options: config.options, startedAt: now, updatedAt: now } },
    { returnDocument: "after" },
  );
  if (!started) throw new ApiError("conflict", "This import has already been started");
  try {
    await enqueue("contact-import", { orgId: orgId.toHexString(), importId: importId.toHexString() }, { deduplicationId: `contact-import:${importId.toHexString()}:0` });
  } catch (err) {
    // Not started after all: the user can try again.
    await imports.updateOne({ _id: importId, status: "running", cursor: 0 }, { $set: { status: "uploaded", mapping: null, options: null, startedAt: null, updatedAt: new Date() } });
    throw err;
  }
  await recordActivity(orgId, actor, { action: "contact_import.started", entityType: "contact_import", entityId: importId, after: { mapping: config.mapping, options: config.options } });
  return started;
}

/**
 * Starts a failed import again from its cursor (the rows before it are already in): the same
 * mapping, the same file, and the upserts make the overlap harmless.
 */
export async function resumeImport(orgId: ObjectId, actor: Actor, importId: ObjectId): Promise<ContactImportDoc> {
  const imports = scoped(orgId)("contact_imports");
  const resumed = await imports.findOneAndUpdate({ _id: importId, status: "failed" }, { $set: { status: "running", error: null, finishedAt: null, updatedAt: new Date() } }, { returnDocument: "after" });
  if (!resumed) {
    await getImportOrThrow(orgId, importId);
    throw new ApiError("conflict", "Only an import that stopped can be started again");
  }
  await enqueue("contact-import", { orgId: orgId.toHexString(), importId: importId.toHexString() }, { deduplicationId: `contact-import:${importId.toHexString()}:resume:${resumed.cursor}:${Date.now()}` });
  await recordActivity(orgId, actor, { action: "contact_import.resumed", entityType: "contact_import", entityId: importId, after: { fromRow: resumed.cursor } });
  return resumed;
}
