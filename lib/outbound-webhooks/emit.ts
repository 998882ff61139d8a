import { createHash } from "node:crypto";
import { ObjectId } from "mongodb";
import { enqueueBatch } from "@/lib/jobs/enqueue";
import { log } from "@/lib/log";
import type { OutboundEvent, OutboundEventType } from "@/lib/schemas/outbound-webhook";

export type EventInput = {
  type: OutboundEventType;
  data: Record<string, unknown>;
  /** A stable id (`evt_...`) when the same fact can be reported twice (a redelivered WhatsApp webhook); default: a fresh one. */
  id?: string;
  occurredAt?: Date;
};

/**
 * THE way a domain module tells subscribers what happened: one `webhook-fanout` job for the whole
 * list (split by size only for a huge batch, still one publish call), and no database operation
 * here, so the WhatsApp webhook path pays one publish whatever the number of events or endpoints.
 * The job finds the subscribed endpoints and enqueues one delivery per endpoint. It never throws: a subscriber's webhook must not fail the CRM's own
 * action, which has already happened; a failed publish is logged (`outbound_webhook.emit_failed`).
 */
export async function emitEvents(orgId: ObjectId, inputs: EventInput[]): Promise<void> {
  if (inputs.length === 0) return;
  const events: OutboundEvent[] = inputs.map((e) => ({
    id: e.id ?? `evt_${new ObjectId().toHexString()}`,
    type: e.type,
    occurredAt: (e.occurredAt ?? new Date()).toISOString(),
    data: e.data,
  }));
  const org = orgId.toHexString();
  // The same events published twice (a redelivered webhook) fan out once.
  const digest = (chunk: OutboundEvent[]) => createHash("sha256").update(chunk.map((e) => e.id).join(",")).digest("hex").slice(0, 32);
  try {
    await enqueueBatch(chunks(events).map((chunk) => ({ job: "webhook-fanout" as const, payload: { orgId: org, events: chunk }, options: { deduplicationId: `webhook-fanout-${org}-${digest(chunk)}` } })));
  } catch (err) {
    log.error("outbound_webhook.emit_failed", { orgId: org, types: [...new Set(events.map((e) => e.type))], err });
  }
}

/** A job's body stays well under QStash's message size limit (1 MB on most plans). */
const MAX_FANOUT_BYTES = 512 * 1024;

/**
 * Events split by size, in order: one chunk in all but a huge WhatsApp batch (1,000 long messages),
 * and every chunk goes out in the same batch publish, so it is still one call.
 */
function chunks(events: OutboundEvent[]): OutboundEvent[][] {
  const out: OutboundEvent[][] = [[]];
  let size = 0;
  for (const e of events) {
    const bytes = Buffer.byteLength(JSON.stringify(e));
    if (size + bytes > MAX_FANOUT_BYTES && out[out.length - 1]!.length > 0) {
      out.push([]);
      size = 0;
    }
    out[out.length - 1]!.push(e);
    size += bytes;
  }
  return out;
}

export function emitEvent(orgId: ObjectId, type: OutboundEventType, data: Record<string, unknown>, options: Pick<EventInput, "id" | "occurredAt"> = {}): Promise<void> {
  return emitEvents(orgId, [{ type, data, ...options }]);
}
