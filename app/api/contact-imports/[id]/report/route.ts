import { Readable } from "node:stream";
import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { dryRunReport } from "@/lib/contacts/import/dry-run";
import { getImportOrThrow, openImportFile } from "@/lib/contacts/import/imports";
import { importConfig } from "@/lib/schemas/contact-import";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// POST /api/contact-imports/[id]/report: the dry run's full per-row report as a CSV download (line, status, column, code, message)
export const POST = withOrg({ permission: "manage:contacts", params, body: importConfig }, async ({ orgId, params, body }) => {
  const doc = await getImportOrThrow(orgId, params.id);
  const { csv } = dryRunReport(orgId, await openImportFile(orgId, doc.fileId), body);
  return new Response(Readable.toWeb(csv) as ReadableStream<Uint8Array>, {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="import-report-${params.id.toHexString()}.csv"`, "cache-control": "no-store" },
  });
});
