import { withOrg } from "@/lib/api/with-org";
import { lintTemplateBody, lintTemplateResponse } from "@/lib/schemas/template";
import { checkTemplateCategory } from "@/lib/templates/category-check";
import { lintTemplate } from "@/lib/templates/lint";

export const runtime = "nodejs";

// POST /api/templates/lint: what Meta would refuse in a draft, and the AI's category warning (changes nothing)
export const POST = withOrg({ permission: "manage:templates", body: lintTemplateBody }, async ({ orgId, body }) => {
  const problems = lintTemplate(body);
  const check = await checkTemplateCategory(orgId, body);
  return lintTemplateResponse.parse({ problems, warning: check.warning, ai: { checked: check.checked, provider: check.provider } });
});
