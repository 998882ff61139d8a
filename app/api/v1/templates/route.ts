import { withApiKey } from "@/lib/api/with-api-key";
import { v1ListTemplatesQuery } from "@/lib/schemas/public-api";
import { templateResponse, type TemplateDoc } from "@/lib/schemas/template";
import { toTemplateResponse } from "@/lib/templates/manage";

export const runtime = "nodejs";

// GET /api/v1/templates: the organization's WhatsApp message templates by name (status=APPROVED for the ones that can be sent)
export const GET = withApiKey({ scope: "templates:read", query: v1ListTemplatesQuery }, async ({ db, query }) => {
  const filter: Partial<Pick<TemplateDoc, "status">> = query.status ? { status: query.status } : {};
  const docs = await db("whatsapp_templates").find(filter, { sort: { name: 1, language: 1 }, limit: 1000 }).toArray();
  return { templates: docs.map((t) => templateResponse.parse(toTemplateResponse(t))) };
});
