import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { dryRun } from "@/lib/contacts/import/dry-run";
import { getImportOrThrow, openImportFile } from "@/lib/contacts/import/imports";
import { importConfig } from "@/lib/schemas/contact-import";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// POST /api/contact-imports/[id]/dry-run: what importing with this mapping would do, row by row, writing nothing
export const POST = withOrg({ permission: "manage:contacts", params, body: importConfig }, async ({ orgId, params, body }) => {
  const doc = await getImportOrThrow(orgId, params.id);
  return { summary: await dryRun(orgId, await openImportFile(orgId, doc.fileId), body) };
});
