import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { editTemplateBody, templateDetailResponse } from "@/lib/schemas/template";
import { deleteTemplate, editTemplate, getTemplateOrThrow, toTemplateDetail } from "@/lib/templates/manage";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/templates/[id]: one template for the builder, with its samples, status and edits left
export const GET = withOrg({ permission: "manage:templates", params }, async ({ orgId, params }) => ({
  template: templateDetailResponse.parse(toTemplateDetail(await getTemplateOrThrow(orgId, params.id))),
}));

// PATCH /api/templates/[id]: edit the template at Meta (approved, rejected or paused only); it goes back to review
export const PATCH = withOrg({ permission: "manage:templates", params, body: editTemplateBody }, async ({ orgId, actor, params, body }) => ({
  template: templateDetailResponse.parse(toTemplateDetail(await editTemplate(orgId, actor, params.id, body))),
}));

// DELETE /api/templates/[id]: delete this language of the template at Meta (an approved name is then blocked for 30 days)
export const DELETE = withOrg({ permission: "manage:templates", params }, async ({ orgId, actor, params }) => ({
  template: templateDetailResponse.parse(toTemplateDetail(await deleteTemplate(orgId, actor, params.id))),
}));
