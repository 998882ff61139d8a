import { withOrg } from "@/lib/api/with-org";
import { setTagColor } from "@/lib/contacts/tags";
import { tagColorBody } from "@/lib/schemas/contact";

export const runtime = "nodejs";

// PUT /api/contact-tags/color: the colour a tag is shown in
export const PUT = withOrg({ permission: "manage:contacts", body: tagColorBody }, async ({ orgId, actor, body }) => {
  await setTagColor(orgId, actor, body.name, body.color);
  return { ok: true };
});
