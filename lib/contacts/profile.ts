import type { ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import { toContactResponse } from "./contacts";
import { toConversationResponse } from "@/lib/inbox/responses";
import { exclusionLabels, type CampaignRecipientDoc } from "@/lib/schemas/campaign";
import { ticketStatusLabels } from "@/lib/schemas/ticket";

export type TimelineEntry = {
  at: string;
  kind: "conversation" | "consent" | "activity" | "note" | "campaign" | "ticket";
  title: string;
  detail: string | null;
  /** Where the entry can be opened (a conversation in the inbox). */
  href: string | null;
};

const TIMELINE_EACH = 50;

/**
 * Everything the directory shows about one person: the contact, their conversations (newest
 * first, linked into the inbox), the consent ledger, the campaigns that reached them, their tickets and the audit
 * entries about them, merged into one timeline. Indexed reads in parallel, each bounded, and one
 * for the names of those campaigns.
 */
export async function contactProfile(orgId: ObjectId, id: ObjectId) {
  const db = scoped(orgId);
  const [contact, conversations, consent, activity, merges, notes, recipients, tickets] = await Promise.all([
    db("contacts").findOne({ _id: id }),
    db("conversations").find({ contactId: id }, { sort: { createdAt: -1 }, limit: TIMELINE_EACH }).toArray(),
    db("consent_events").find({ contactId: id }, { sort: { at: -1 }, limit: TIMELINE_EACH }).toArray(),
    db("activity_logs").find({ entityType: "contact", entityId: id }, { sort: { at: -1 }, limit: TIMELINE_EACH }).toArray(),
    db("contact_merges").find({ survivorId: id }, { sort: { createdAt: -1 }, limit: 10 }).toArray(),
    db("contact_notes").find({ contactId: id }, { sort: { createdAt: -1 }, limit: TIMELINE_EACH }).toArray(),
    db("campaign_recipients").find({ contactId: id }, { sort: { createdAt: -1 }, limit: TIMELINE_EACH }).toArray(),
    db("tickets").find({ contactId: id }, { sort: { createdAt: -1 }, limit: TIMELINE_EACH }).toArray(),
  ]);
  if (!contact || contact.erasedAt) throw new ApiError("not_found", "Contact not found");
  const campaignIds = [...new Map(recipients.map((r) => [r.campaignId.toHexString(), r.campaignId])).values()];
  const campaignNames = new Map(
    campaignIds.length ? (await db("campaigns").find({ _id: { $in: campaignIds } }, { projection: { name: 1 } }).toArray()).map((c) => [c._id.toHexString(), c.name]) : [],
  );
  const timeline: TimelineEntry[] = [
    ...conversations.map((c) => ({
      at: c.createdAt.toISOString(),
      kind: "conversation" as const,
      title: `Conversation ${c.status === "resolved" || c.status === "closed" ? `(${c.status})` : "(open)"}`,
      detail: c.lastMessage ? `Last: ${c.lastMessage.preview}` : null,
      href: `/inbox/${c._id.toHexString()}`,
    })),
    ...consent.map((e) => ({
      at: e.at.toISOString(),
      kind: "consent" as const,
      title: `${e.state === "opted_out" ? "Opted out" : e.state === "opted_in" ? "Opted in" : "Consent unknown"}${e.channel === "marketing" ? " of marketing" : ""}`,
      detail: [e.source.replace(/_/g, " "), e.detail].filter(Boolean).join(": "),
      href: null,
    })),
    ...notes.map((n) => ({
      at: n.createdAt.toISOString(),
      kind: "note" as const,
      title: `Note by ${n.authorName}`,
      detail: n.text,
      href: null,
    })),
    ...recipients.map((r) => ({
      at: (r.sentAt ?? r.createdAt).toISOString(),
      kind: "campaign" as const,
      title: `Campaign “${campaignNames.get(r.campaignId.toHexString()) ?? "deleted campaign"}”: ${campaignStep(r)}`,
      detail: r.excludedReason ? exclusionLabels[r.excludedReason] : r.error ? `${r.error.code}: ${r.error.message}` : r.variant === "A" || r.variant === "control" ? null : `variant ${r.variant}`,
      href: `/campaigns/${r.campaignId.toHexString()}`,
    })),
    ...tickets.map((t) => ({
      at: t.createdAt.toISOString(),
      kind: "ticket" as const,
      title: `Ticket ${t.number}: ${t.subject}`,
      detail: `${ticketStatusLabels[t.status]}${t.resolution ? ` — ${t.resolution.summary}` : ""}`,
      href: `/tickets/${t._id.toHexString()}`,
    })),
    ...activity.map((a) => ({
      at: a.at.toISOString(),
      kind: "activity" as const,
      title: `${a.action.replace(/^contact\./, "").replace(/_/g, " ")} by ${a.actorName}`,
      detail: a.after ? Object.keys(a.after).join(", ") : null,
      href: null,
    })),
  ].sort((a, b) => b.at.localeCompare(a.at));
  return {
    contact: toContactResponse(contact),
    conversations: conversations.map(toConversationResponse),
    consentHistory: consent.map((e) => ({ at: e.at.toISOString(), state: e.state, channel: e.channel, source: e.source, detail: e.detail })),
    timeline,
    /** Merges into this contact that can still be undone. */
    merges: merges
      .filter((m) => m.status === "done" && m.undoUntil > new Date())
      .map((m) => ({ id: m._id.toHexString(), name: m.merged.name ?? m.merged.profileName ?? m.merged.phone ?? "a contact", at: m.createdAt.toISOString(), undoUntil: m.undoUntil.toISOString() })),
  };
}
/** How far a campaign got with this person, in the funnel's words. */
function campaignStep(r: CampaignRecipientDoc): string {
  if (r.convertedAt) return "converted";
  if (r.repliedAt) return "replied";
  if (r.clickedAt) return "clicked";
  if (r.readAt) return "read";
  if (r.deliveredAt) return "delivered";
  const labels: Record<CampaignRecipientDoc["status"], string> = {
    queued: "waiting to be sent", sending: "being sent", sent: "sent", rescheduled: "rescheduled by Meta (131049)", failed: "failed",
    excluded: "left out", control: "control group (not sent)", holdback: "waiting for the A/B winner", cancelled: "cancelled before sending",
  };
  return labels[r.status];
}

export type ContactProfile = Awaited<ReturnType<typeof contactProfile>>;
