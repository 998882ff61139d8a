import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { importPreview, toImportResponse } from "@/lib/contacts/import/api";
import { getImportOrThrow } from "@/lib/contacts/import/imports";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/contact-imports/[id]: one import (headers, mapping, progress) and its first five rows for the mapping step
export const GET = withOrg({ permission: "manage:contacts", params }, async ({ orgId, params }) => {
  const doc = await getImportOrThrow(orgId, params.id);
  return { import: toImportResponse(doc), preview: doc.status === "uploaded" ? await importPreview(orgId, doc) : [] };
});
