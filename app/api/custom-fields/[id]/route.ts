import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { deleteCustomField, updateCustomField } from "@/lib/contacts/custom-fields";
import { customFieldBody, toCustomFieldResponse } from "@/lib/schemas/custom-field";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// PUT /api/custom-fields/[id]: change a definition's label, type, options or flags (its key stays)
export const PUT = withOrg({ permission: "system:admin", params, body: customFieldBody }, async ({ orgId, actor, params, body }) => {
  const { key: _key, ...rest } = body;
  return { customField: toCustomFieldResponse(await updateCustomField(orgId, actor, params.id, rest)) };
});

// DELETE /api/custom-fields/[id]: remove a definition (values on contacts stay as free text)
export const DELETE = withOrg({ permission: "system:admin", params }, async ({ orgId, actor, params }) => {
  await deleteCustomField(orgId, actor, params.id);
  return { ok: true };
});
