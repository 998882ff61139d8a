import { withOrg } from "@/lib/api/with-org";
import { createCustomField, listCustomFields } from "@/lib/contacts/custom-fields";
import { customFieldBody, toCustomFieldResponse } from "@/lib/schemas/custom-field";

export const runtime = "nodejs";

// GET /api/custom-fields: the organization's custom field definitions (key, label, type, options, required, shown in the inbox)
export const GET = withOrg({ permission: "read:conversations" }, async ({ orgId }) => ({ customFields: (await listCustomFields(orgId)).map(toCustomFieldResponse) }));

// POST /api/custom-fields: define a custom field (admins)
export const POST = withOrg({ permission: "system:admin", body: customFieldBody }, async ({ orgId, actor, body }) =>
  Response.json({ customField: toCustomFieldResponse(await createCustomField(orgId, actor, body)) }, { status: 201 }),
);
