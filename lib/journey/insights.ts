import { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { JourneyMove, JourneyStage } from "@/lib/schemas/journey";

/**
 * What the journey shows beside the stage, derived when it is read from the records that already
 * hold it (messages, campaign recipients, tickets, the journey's moves) instead of copied into the
 * journey by every event: the WhatsApp webhook writes nothing more, and the touchpoints can never
 * disagree with the thread. Three indexed reads of the newest few of each.
 */

const DAY_MS = 24 * 3600_000;
const TOUCHPOINTS = 15;

export type Touchpoint = {
  kind: "message_in" | "message_out" | "campaign_received" | "campaign_read" | "campaign_clicked" | "campaign_replied" | "ticket_opened" | "stage_changed";
  at: string;
  text: string;
  href: string | null;
};

export type JourneyInsights = {
  /** From the lead score: how much the customer engages. */
  engagement: "high" | "medium" | "low" | "none";
  /** For customers who bought (purchase, retention): how long they have been silent. Null for the others. */
  churnRisk: "high" | "medium" | "low" | null;
  nextAction: string;
  daysSinceLastMessage: number | null;
};

export function insightsFor(contact: Pick<ContactDoc, "leadScore" | "lastInboundAt">, stage: JourneyStage | null, awaitingReply: boolean, now = new Date()): JourneyInsights {
  const score = contact.leadScore ?? null;
  const engagement = score === null || score === 0 ? "none" : score >= 70 ? "high" : score >= 40 ? "medium" : "low";
  const days = contact.lastInboundAt ? Math.floor((now.getTime() - contact.lastInboundAt.getTime()) / DAY_MS) : null;
  const bought = stage === "purchase" || stage === "retention";
  const churnRisk = !bought ? null : days === null || days > 60 ? "high" : days > 30 ? "medium" : "low";
  let nextAction: string;
  if (awaitingReply) nextAction = "Reply: their last message has no answer yet";
  else if (churnRisk === "high") nextAction = "Win them back: check in with a template (they have been quiet for two months)";
  else if (stage === null) nextAction = "Place them on the board when you know where they are";
  else
    nextAction = {
      awareness: "Introduce what you offer and ask what they need",
      interest: "Send prices or the catalog they asked about",
      consideration: "Answer objections: offer a call, a demo or a limited discount",
      purchase: "Confirm the order and ask how it went",
      retention: "Ask for a review and offer what goes with what they bought",
    }[stage];
  return { engagement, churnRisk, nextAction, daysSinceLastMessage: days };
}

export async function journeyTouchpoints(orgId: ObjectId, contactId: ObjectId, moves: JourneyMove[]): Promise<{ touchpoints: Touchpoint[]; awaitingReply: boolean }> {
  const db = scoped(orgId);
  const [messages, recipients, tickets] = await Promise.all([
    db("messages")
      .find({ contactId, type: { $nin: ["system", "note", "reaction"] } }, { sort: { sentAt: -1 }, limit: TOUCHPOINTS, projection: { direction: 1, sender: 1, text: 1, type: 1, sentAt: 1, conversationId: 1 } })
      .toArray(),
    db("campaign_recipients").find({ contactId, sentAt: { $ne: null } }, { sort: { sentAt: -1 }, limit: 5, projection: { campaignId: 1, sentAt: 1, readAt: 1, clickedAt: 1, repliedAt: 1 } }).toArray(),
    db("tickets").find({ contactId }, { sort: { createdAt: -1 }, limit: 5, projection: { number: 1, subject: 1, createdAt: 1 } }).toArray(),
  ]);
  const campaignIds = [...new Set(recipients.map((r) => r.campaignId.toHexString()))].map((id) => new ObjectId(id));
  const campaigns = campaignIds.length ? await db("campaigns").find({ _id: { $in: campaignIds } }, { projection: { name: 1 } }).toArray() : [];
  const campaignName = new Map(campaigns.map((c) => [c._id.toHexString(), c.name]));

  const out: Touchpoint[] = [];
  for (const m of messages) {
    const inbound = m.direction === "inbound";
    const preview = (m.text ?? `[${m.type}]`).slice(0, 80);
    out.push({ kind: inbound ? "message_in" : "message_out", at: m.sentAt.toISOString(), text: inbound ? `Wrote “${preview}”` : `${m.sender === "ai" ? "AI" : m.sender === "system" ? "Sent" : "Team"}: “${preview}”`, href: `/inbox/${m.conversationId.toHexString()}` });
  }
  for (const r of recipients) {
    const name = campaignName.get(r.campaignId.toHexString()) ?? "a campaign";
    const href = `/campaigns/${r.campaignId.toHexString()}`;
    out.push({ kind: "campaign_received", at: r.sentAt!.toISOString(), text: `Received ${name}`, href });
    if (r.readAt) out.push({ kind: "campaign_read", at: r.readAt.toISOString(), text: `Read ${name}`, href });
    if (r.clickedAt) out.push({ kind: "campaign_clicked", at: r.clickedAt.toISOString(), text: `Clicked a link in ${name}`, href });
    if (r.repliedAt) out.push({ kind: "campaign_replied", at: r.repliedAt.toISOString(), text: `Replied to ${name}`, href });
  }
  for (const t of tickets) out.push({ kind: "ticket_opened", at: t.createdAt.toISOString(), text: `Ticket ${t.number}: ${t.subject}`, href: `/tickets/${t._id.toHexString()}` });
  for (const m of moves) out.push({ kind: "stage_changed", at: m.at.toISOString(), text: `Stage ${m.from ?? "none"} → ${m.to ?? "off the board"} (${m.byName})`, href: null });
  out.sort((a, b) => b.at.localeCompare(a.at));
  // Awaiting a reply: the newest thread message is the customer's.
  const newest = messages.find((m) => m.sender !== "system");
  return { touchpoints: out.slice(0, TOUCHPOINTS), awaitingReply: newest?.direction === "inbound" };
}
