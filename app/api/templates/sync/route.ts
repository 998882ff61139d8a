// POST /api/templates/sync: pull every WhatsApp account's message templates from Meta (whoever manages templates)
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { DEFAULT_MAX_BODY_BYTES, parseJson, readRawBody } from "@/lib/api/read-json";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { recordActivity } from "@/lib/audit/audit";
import { GraphApiError } from "@/lib/whatsapp/graph-error";
import { syncTemplates } from "@/lib/whatsapp/templates";

const body = z.object({ accountId: idParam.optional() });

export const POST = withOrg({ permission: "manage:templates" }, async ({ db, orgId, actor, req }) => {
  // An empty body syncs every account of the organization.
  const raw = await readRawBody(req, DEFAULT_MAX_BODY_BYTES);
  const parsed = raw.length === 0 ? {} : body.parse(parseJson(raw));
  const accounts = await db("whatsapp_accounts").find(parsed.accountId ? { _id: parsed.accountId } : {}).toArray();
  if (accounts.length === 0) throw new ApiError("not_found", "No WhatsApp account to sync templates from");
  const results = [];
  for (const account of accounts) {
    try {
      results.push(await syncTemplates(orgId, account._id));
    } catch (err) {
      if (!(err instanceof GraphApiError)) throw err;
      throw new ApiError("service_unavailable", `Meta refused the template list for ${account.displayPhoneNumber || account.phoneNumberId}: ${err.message}`);
    }
  }
  await recordActivity(orgId, actor, { action: "templates.synced", entityType: "template", entityId: null, after: { results } });
  return { results };
});
