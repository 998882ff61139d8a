import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { deleteContactList } from "@/lib/contacts/lists";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// DELETE /api/contact-lists/[id]: delete a list (its contacts stay; their membership is cleared by a bulk action)
export const DELETE = withOrg({ permission: "manage:contacts", params }, async ({ orgId, actor, params }) => deleteContactList(orgId, actor, params.id));
