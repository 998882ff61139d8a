import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { recordActivity } from "@/lib/audit/audit";
import { getWebhookEventOrThrow, toWebhookEventRow } from "@/lib/webhook/events-admin";
import { replayWebhookEvent } from "@/lib/webhook/ingest";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// POST /api/webhook-events/[id]/replay: reprocess a stored WhatsApp envelope (idempotent; admin)
export const POST = withOrg({ permission: "system:admin", params }, async ({ orgId, params, actor }) => {
  const before = await getWebhookEventOrThrow(orgId, params.id);
  const after = await replayWebhookEvent(before);
  await recordActivity(orgId, actor, {
    action: "webhook_event.replayed",
    entityType: "webhook_event",
    entityId: before._id,
    before: { outcome: before.outcome, reason: before.reason },
    after: { outcome: after.outcome, reason: after.reason },
  });
  return { event: toWebhookEventRow(after) };
});
