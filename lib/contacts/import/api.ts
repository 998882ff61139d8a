import type { ObjectId } from "mongodb";
import type { ContactImportDoc } from "@/lib/schemas/contact-import";
import { openImportFile } from "./imports";
import { previewRows } from "./read-csv";

/** The upload cap (issue 11). On Vercel the platform caps a function's request body lower (docs/contacts.md). */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

export function toImportResponse(d: ContactImportDoc) {
  return {
    id: d._id.toHexString(),
    filename: d.filename,
    bytes: d.bytes,
    status: d.status,
    headers: d.headers,
    mapping: d.mapping,
    options: d.options,
    progress: d.progress,
    error: d.error,
    createdAt: d.createdAt.toISOString(),
    startedAt: d.startedAt?.toISOString() ?? null,
    finishedAt: d.finishedAt?.toISOString() ?? null,
  };
}
export type ImportResponse = ReturnType<typeof toImportResponse>;

/** The first rows of the uploaded file, for the mapping step. */
export async function importPreview(orgId: ObjectId, doc: ContactImportDoc, n = 5) {
  const { rows } = await previewRows(await openImportFile(orgId, doc.fileId), n);
  return rows.map((r) => ("values" in r ? r.values : null)).filter((v): v is Record<string, string> => v !== null);
}
