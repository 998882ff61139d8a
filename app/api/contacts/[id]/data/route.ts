import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { recordActivity } from "@/lib/audit/audit";
import { exportContactData } from "@/lib/contacts/gdpr";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// GET /api/contacts/[id]/data: everything held about the contact as one JSON file (GDPR right of access), audited
export const GET = withOrg({ permission: "manage:contacts", params }, async ({ orgId, actor, params }) => {
  const bundle = await exportContactData(orgId, params.id);
  await recordActivity(orgId, actor, { action: "contact.data_exported", entityType: "contact", entityId: params.id, after: { messages: bundle.messages.length } });
  return new Response(JSON.stringify(bundle, null, 2), {
    headers: { "content-type": "application/json; charset=utf-8", "content-disposition": `attachment; filename="contact-${params.id.toHexString()}.json"`, "cache-control": "no-store" },
  });
});
