import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { toImportResponse } from "@/lib/contacts/import/api";
import { startImport } from "@/lib/contacts/import/imports";
import { importConfig } from "@/lib/schemas/contact-import";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// POST /api/contact-imports/[id]/start: import with this mapping and options, as a job (202; progress on GET /api/contact-imports/[id])
export const POST = withOrg({ permission: "manage:contacts", params, body: importConfig }, async ({ orgId, actor, params, body }) =>
  Response.json({ import: toImportResponse(await startImport(orgId, actor, params.id, body)) }, { status: 202 }),
);
