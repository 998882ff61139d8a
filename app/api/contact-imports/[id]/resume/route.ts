import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { toImportResponse } from "@/lib/contacts/import/api";
import { resumeImport } from "@/lib/contacts/import/imports";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// POST /api/contact-imports/[id]/resume: start an import that stopped again, from the row it reached (202)
export const POST = withOrg({ permission: "manage:contacts", params }, async ({ orgId, actor, params }) =>
  Response.json({ import: toImportResponse(await resumeImport(orgId, actor, params.id)) }, { status: 202 }),
);
