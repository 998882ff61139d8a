import { ObjectId } from "mongodb";
import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withApiKey } from "@/lib/api/with-api-key";
import { recordActivity } from "@/lib/audit/audit";
import { getContact, toContactResponse } from "@/lib/contacts/contacts";
import { v1ConsentBody } from "@/lib/schemas/public-api";
import { recordConsent } from "@/lib/webhook/consent";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// PUT /api/v1/contacts/[id]/consent: record an opt-in or opt-out collected elsewhere (kept in the contact's consent history with source "api")
export const PUT = withApiKey({ scope: "contacts:write", params, body: v1ConsentBody }, async ({ orgId, actor, params, body }) => {
  const before = await getContact(orgId, params.id);
  await recordConsent(orgId, params.id, { eventId: new ObjectId(), state: body.state, channel: body.channel, source: "api", detail: body.detail ?? actor.name, at: new Date() });
  await recordActivity(orgId, actor, {
    action: "contact.consent_changed",
    entityType: "contact",
    entityId: params.id,
    before: { state: before.consent.state, marketing: before.consent.marketing },
    after: { channel: body.channel, state: body.state },
  });
  return { contact: toContactResponse(await getContact(orgId, params.id)) };
});
