import { withOrg } from "@/lib/api/with-org";
import { tagUsage } from "@/lib/contacts/tags";

export const runtime = "nodejs";

// GET /api/contact-tags: every tag in use, most used first, with its contact count and colour
export const GET = withOrg({ permission: "view:contacts" }, async ({ orgId }) => ({ tags: await tagUsage(orgId) }));
