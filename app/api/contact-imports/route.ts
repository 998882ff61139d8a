import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { readRawBody } from "@/lib/api/read-json";
import { withOrg } from "@/lib/api/with-org";
import { MAX_IMPORT_BYTES, toImportResponse } from "@/lib/contacts/import/api";
import { createImport, listImports } from "@/lib/contacts/import/imports";

export const runtime = "nodejs";

const uploadQuery = z.object({ filename: z.string().trim().min(1).max(200).default("contacts.csv") });

// GET /api/contact-imports: the organization's imports, newest first, with their progress
export const GET = withOrg({ permission: "manage:contacts" }, async ({ orgId }) => ({ imports: (await listImports(orgId)).map(toImportResponse) }));

// POST /api/contact-imports?filename=: upload a CSV (the raw file as the body, at most 50 MB; 413 before it is read when larger)
export const POST = withOrg({ permission: "manage:contacts", query: uploadQuery }, async ({ req, orgId, actor, user, query }) => {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!["text/csv", "text/plain", "application/csv", "application/vnd.ms-excel", "application/octet-stream"].includes(type)) {
    throw new ApiError("unsupported_media_type", "Send the CSV file itself as the body (Content-Type: text/csv)");
  }
  const bytes = await readRawBody(req, MAX_IMPORT_BYTES);
  if (bytes.byteLength === 0) throw new ApiError("unprocessable_entity", "The file is empty");
  const created = await createImport(orgId, { ...actor, id: user._id }, { filename: query.filename, bytes });
  return Response.json({ import: toImportResponse(created) }, { status: 201 });
});
