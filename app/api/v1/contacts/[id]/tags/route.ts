import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withApiKey } from "@/lib/api/with-api-key";
import { getContact, toContactResponse, updateContact } from "@/lib/contacts/contacts";
import { v1ContactTagsBody } from "@/lib/schemas/public-api";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// POST /api/v1/contacts/[id]/tags: add and remove tags without sending the whole list
export const POST = withApiKey({ scope: "contacts:write", params, body: v1ContactTagsBody }, async ({ orgId, actor, params, body }) => {
  const contact = await getContact(orgId, params.id);
  const remove = new Set(body.remove ?? []);
  const tags = [...new Set([...contact.tags, ...(body.add ?? [])])].filter((t) => !remove.has(t));
  return { contact: toContactResponse(await updateContact(orgId, actor, params.id, { tags })) };
});
