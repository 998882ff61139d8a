import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { accountSendingBody, updateAccountSending } from "@/lib/settings/whatsapp-accounts";

export const runtime = "nodejs";

// PATCH /api/whatsapp-accounts/[id]: how campaigns send through the number (throughput, Marketing Messages API)
export const PATCH = withOrg({ permission: "system:admin", params: z.object({ id: idParam }), body: accountSendingBody }, async ({ orgId, actor, params, body }) => ({
  account: await updateAccountSending(orgId, actor, params.id, body),
}));
