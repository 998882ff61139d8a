// GET /api/templates: the organization's WhatsApp message templates (filter by status, e.g. APPROVED for the composer)
import { ObjectId } from "mongodb";
import { withOrg } from "@/lib/api/with-org";
import { listTemplatesQuery, templateResponse, type TemplateDoc } from "@/lib/schemas/template";

export const GET = withOrg({ query: listTemplatesQuery }, async ({ db, query }) => {
  const filter: Partial<Pick<TemplateDoc, "status" | "accountId">> = {};
  if (query.status) filter.status = query.status;
  if (query.accountId) filter.accountId = new ObjectId(query.accountId);
  const docs = await db("whatsapp_templates").find(filter, { sort: { name: 1, language: 1 }, limit: 1000 }).toArray();
  return {
    templates: docs.map((t) =>
      templateResponse.parse({
        id: t._id.toHexString(),
        accountId: t.accountId.toHexString(),
        name: t.name,
        language: t.language,
        category: t.category,
        status: t.status,
        qualityScore: t.qualityScore,
        rejectedReason: t.rejectedReason,
        parameterFormat: t.parameterFormat,
        components: t.components,
        syncedAt: t.syncedAt.toISOString(),
      }),
    ),
  };
});
