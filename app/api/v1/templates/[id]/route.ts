import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withApiKey } from "@/lib/api/with-api-key";
import { templateDetailResponse } from "@/lib/schemas/template";
import { getTemplateOrThrow, toTemplateDetail } from "@/lib/templates/manage";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/v1/templates/[id]: one template with its components and samples
export const GET = withApiKey({ scope: "templates:read", params }, async ({ orgId, params }) => ({
  template: templateDetailResponse.parse(toTemplateDetail(await getTemplateOrThrow(orgId, params.id))),
}));
