import { ObjectId, type Filter } from "mongodb";
import { stringify } from "csv-stringify/sync";
import type { Actor } from "@/lib/audit/audit";
import { safeCell } from "@/lib/contacts/export";
import { createContactList } from "@/lib/contacts/lists";
import { createSegment } from "@/lib/contacts/segments/store";
import { scoped } from "@/lib/db/scoped";
import { exclusionLabels, type CampaignDoc, type CampaignRecipientDoc, type RetargetStep } from "@/lib/schemas/campaign";
import { templateSlots } from "@/lib/templates/variables";

/** A campaign as the API returns it: ids as strings, dates as ISO, the funnel as stored. */
export function toCampaignResponse(c: CampaignDoc) {
  return {
    id: c._id.toHexString(),
    name: c.name,
    accountId: c.accountId.toHexString(),
    status: c.status,
    audience: { segmentId: c.audience.segmentId?.toHexString() ?? null, definition: c.audience.definition },
    exclusions: c.exclusions,
    variants: c.variants.map((v) => ({
      key: v.key,
      templateId: v.templateId.toHexString(),
      template: v.template,
      slots: templateSlots(v.template),
      variables: v.variables,
      weight: v.weight,
    })),
    controlPercent: c.controlPercent,
    winner: c.winner,
    winnerKey: c.winnerKey,
    conversion: c.conversion,
    scheduledAt: c.scheduledAt?.toISOString() ?? null,
    ratePerSecond: c.ratePerSecond,
    counters: c.counters,
    byVariant: c.byVariant,
    excludedBy: c.excludedBy,
    failedBy: c.failedBy,
    pauseReason: c.pauseReason,
    preparedAt: c.preparedAt?.toISOString() ?? null,
    startedAt: c.startedAt?.toISOString() ?? null,
    completedAt: c.completedAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
export type CampaignResponse = ReturnType<typeof toCampaignResponse>;

/** The recipients a funnel step names ("delivered, not read"...), as one filter within the campaign. */
export function stepFilter(step: RetargetStep): Filter<CampaignRecipientDoc> {
  switch (step) {
    case "sent_not_delivered":
      return { status: "sent", deliveredAt: null };
    case "delivered_not_read":
      return { status: "sent", deliveredAt: { $ne: null }, readAt: null };
    case "read_not_replied":
      return { status: "sent", readAt: { $ne: null }, repliedAt: null };
    case "replied":
      return { status: "sent", repliedAt: { $ne: null } };
    case "clicked":
      return { status: "sent", clickedAt: { $ne: null } };
    case "not_clicked":
      return { status: "sent", clickedAt: null };
    case "failed":
      return { status: "failed" };
    case "converted":
      return { convertedAt: { $ne: null } };
  }
}

export const stepLabels: Record<RetargetStep, string> = {
  sent_not_delivered: "sent, not delivered",
  delivered_not_read: "delivered, not read",
  read_not_replied: "read, not replied",
  replied: "replied",
  clicked: "clicked",
  not_clicked: "did not click",
  failed: "failed",
  converted: "converted",
};

/**
 * Retarget: the contacts at a funnel step become a list (a snapshot, so the next campaign reaches
 * exactly these people even as the funnel keeps moving) and a saved segment on that list, ready
 * to pick as the next campaign's audience. The list is filled in batches of 1,000 ids.
 */
export async function retarget(orgId: ObjectId, actor: Actor, c: CampaignDoc, step: RetargetStep) {
  const db = scoped(orgId);
  const name = `${c.name}: ${stepLabels[step]} (${new Date().toISOString().slice(0, 16).replace("T", " ")})`;
  const list = await createContactList(orgId, actor, { name: name.slice(0, 120), description: `Retarget from campaign "${c.name}"` });
  let members = 0;
  let after: ObjectId | null = null;
  for (;;) {
    const rows: { _id: ObjectId; contactId: ObjectId }[] = await db("campaign_recipients")
      .find({ campaignId: c._id, ...stepFilter(step), ...(after ? { contactId: { $gt: after } } : {}) }, { sort: { contactId: 1 }, limit: 1_000, projection: { contactId: 1 } })
      .toArray();
    if (rows.length === 0) break;
    const res = await db("contacts").updateMany({ _id: { $in: rows.map((r) => r.contactId) }, erasedAt: null }, { $addToSet: { listIds: list._id }, $set: { updatedAt: new Date() } });
    members += res.modifiedCount;
    after = rows[rows.length - 1]!.contactId;
    if (rows.length < 1_000) break;
  }
  const segment = await createSegment(orgId, actor, {
    name: list.name,
    description: `${members} contacts who ${stepLabels[step]} campaign "${c.name}"`,
    definition: { match: "all", conditions: [{ field: "listIds", op: "has_any", value: [list._id.toHexString()] }] },
  });
  return { listId: list._id.toHexString(), segmentId: segment._id.toHexString(), name: list.name, members };
}

const RECIPIENT_STATUS_LABEL: Record<CampaignRecipientDoc["status"], string> = {
  queued: "queued",
  sending: "sending",
  sent: "sent",
  rescheduled: "rescheduled (131049)",
  failed: "failed",
  excluded: "excluded",
  control: "control group",
  holdback: "waiting for the winner",
  cancelled: "cancelled",
};

/** One recipient as the results table and the export show it. */
export function toRecipientRow(r: CampaignRecipientDoc, contact: { name: string | null; phone: string | null } | undefined) {
  return {
    id: r._id.toHexString(),
    contactId: r.contactId.toHexString(),
    name: contact?.name ?? null,
    to: r.to,
    variant: r.variant,
    status: r.status,
    statusLabel: RECIPIENT_STATUS_LABEL[r.status],
    excludedReason: r.excludedReason ? exclusionLabels[r.excludedReason] : null,
    sentAt: r.sentAt?.toISOString() ?? null,
    deliveredAt: r.deliveredAt?.toISOString() ?? null,
    readAt: r.readAt?.toISOString() ?? null,
    repliedAt: r.repliedAt?.toISOString() ?? null,
    clickedAt: r.clickedAt?.toISOString() ?? null,
    convertedAt: r.convertedAt?.toISOString() ?? null,
    error: r.error ? `${r.error.code}: ${r.error.message}` : null,
  };
}

/** A page of recipients (keyset by contact id), optionally at one funnel step. */
export async function listRecipients(orgId: ObjectId, campaignId: ObjectId, opts: { step?: RetargetStep; after?: ObjectId; limit: number }) {
  const db = scoped(orgId);
  const rows = await db("campaign_recipients")
    .find({ campaignId, ...(opts.step ? stepFilter(opts.step) : {}), ...(opts.after ? { contactId: { $gt: opts.after } } : {}) }, { sort: { contactId: 1 }, limit: opts.limit + 1 })
    .toArray();
  const page = rows.slice(0, opts.limit);
  const contacts = await db("contacts").find({ _id: { $in: page.map((r) => r.contactId) } }, { projection: { name: 1, phone: 1 } }).toArray();
  const byId = new Map(contacts.map((x) => [x._id.toHexString(), x]));
  return {
    recipients: page.map((r) => toRecipientRow(r, byId.get(r.contactId.toHexString()))),
    nextCursor: rows.length > opts.limit ? page[page.length - 1]!.contactId.toHexString() : null,
  };
}

const EXPORT_COLUMNS = ["name", "to", "variant", "status", "excludedReason", "sentAt", "deliveredAt", "readAt", "repliedAt", "clickedAt", "convertedAt", "error"] as const;

/** Every recipient with its funnel times, streamed as CSV in pages of 1,000 (memory stays flat). */
export function exportRecipientsCsv(orgId: ObjectId, campaignId: ObjectId): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: ObjectId | undefined;
  let started = false;
  return new ReadableStream({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(`\uFEFF${stringify([[...EXPORT_COLUMNS]])}`));
        return;
      }
      const page = await listRecipients(orgId, campaignId, { after, limit: 1_000 });
      if (page.recipients.length) controller.enqueue(encoder.encode(stringify(page.recipients.map((r) => EXPORT_COLUMNS.map((c) => safeCell(String(r[c] ?? "")))))));
      // Closed in the same pull: a pull that enqueues nothing is not called again.
      if (!page.nextCursor) controller.close();
      else after = new ObjectId(page.nextCursor);
    },
  });
}
