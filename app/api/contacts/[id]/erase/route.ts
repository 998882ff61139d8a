import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { eraseContactById } from "@/lib/contacts/gdpr";

export const runtime = "nodejs";
const params = z.object({ id: idParam });
const body = z.strictObject({ confirm: z.literal("erase", "send { \"confirm\": \"erase\" }: erasing cannot be undone") });

// POST /api/contacts/[id]/erase: erase the person's data (GDPR), keeping a suppression hash; cannot be undone
export const POST = withOrg({ permission: "manage:contacts", params, body }, async ({ orgId, actor, params }) => {
  await eraseContactById(orgId, actor, params.id);
  return { ok: true };
});
