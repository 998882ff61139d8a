import { z } from "zod";
import { withOrg } from "@/lib/api/with-org";
import { countSegment, previewSegment } from "@/lib/contacts/segments/run";
import { toContactResponse } from "@/lib/contacts/contacts";
import { segmentGroup } from "@/lib/schemas/segment";

export const runtime = "nodejs";

// POST /api/segments/preview: a definition's live count and its first 20 contacts, before it is saved (reads only)
export const POST = withOrg({ permission: "view:contacts", body: z.strictObject({ definition: segmentGroup }) }, async ({ orgId, body }) => {
  const [count, contacts] = await Promise.all([countSegment(orgId, body.definition), previewSegment(orgId, body.definition)]);
  return { count, contacts: contacts.map(toContactResponse) };
});
