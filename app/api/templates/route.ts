// GET /api/templates: the organization's WhatsApp message templates (filter by status, e.g. APPROVED for the composer)
import { ObjectId } from "mongodb";
import { withOrg } from "@/lib/api/with-org";
import { createTemplateBody, listTemplatesQuery, templateDetailResponse, templateResponse, type TemplateDoc } from "@/lib/schemas/template";
import { createTemplate, toTemplateDetail, toTemplateResponse } from "@/lib/templates/manage";

export const GET = withOrg({ query: listTemplatesQuery }, async ({ db, query }) => {
  const filter: Partial<Pick<TemplateDoc, "status" | "accountId">> = {};
  if (query.status) filter.status = query.status;
  if (query.accountId) filter.accountId = new ObjectId(query.accountId);
  const docs = await db("whatsapp_templates").find(filter, { sort: { name: 1, language: 1 }, limit: 1000 }).toArray();
  return { templates: docs.map((t) => templateResponse.parse(toTemplateResponse(t))) };
});

// POST /api/templates: lint a template, submit it to Meta for review and store it PENDING
export const POST = withOrg({ permission: "manage:templates", body: createTemplateBody }, async ({ orgId, actor, body }) => {
  const template = await createTemplate(orgId, actor, body);
  return Response.json({ template: templateDetailResponse.parse(toTemplateDetail(template)) }, { status: 201 });
});
