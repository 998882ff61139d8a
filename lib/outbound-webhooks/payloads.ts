import type { CampaignDoc } from "@/lib/schemas/campaign";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import type { TicketDoc } from "@/lib/schemas/ticket";

/**
 * The `data` of each event, built from the document the domain module just wrote (no read of its
 * own): ids as strings, dates as ISO strings. Small on purpose: a receiver that needs more reads
 * the resource through the public API by its id. docs/webhooks-outbound.md lists them.
 */
const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

export function conversationData(c: Pick<ConversationDoc, "_id" | "contactId" | "accountId" | "status" | "assigneeId" | "priority" | "tags" | "contact" | "resolvedAt" | "createdAt">) {
  return {
    conversationId: c._id.toHexString(),
    contactId: c.contactId.toHexString(),
    accountId: c.accountId.toHexString(),
    status: c.status,
    assigneeId: c.assigneeId?.toHexString() ?? null,
    priority: c.priority,
    tags: c.tags,
    contact: { name: c.contact.name, phone: c.contact.phone },
    resolvedAt: iso(c.resolvedAt),
    createdAt: iso(c.createdAt),
  };
}

export function contactData(c: Pick<ContactDoc, "_id" | "name" | "phone" | "email" | "company" | "tags" | "consent" | "source" | "createdAt" | "updatedAt">) {
  return {
    contactId: c._id.toHexString(),
    name: c.name,
    phone: c.phone,
    email: c.email,
    company: c.company,
    tags: c.tags,
    consent: { state: c.consent.state, marketing: c.consent.marketing, changedAt: iso(c.consent.changedAt) },
    source: c.source,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

export function ticketData(t: Pick<TicketDoc, "_id" | "number" | "subject" | "status" | "priority" | "category" | "assigneeId" | "contactId" | "conversationId" | "tags" | "createdAt" | "updatedAt">) {
  return {
    ticketId: t._id.toHexString(),
    number: t.number,
    subject: t.subject,
    status: t.status,
    priority: t.priority,
    category: t.category,
    assigneeId: t.assigneeId?.toHexString() ?? null,
    contactId: t.contactId.toHexString(),
    conversationId: t.conversationId?.toHexString() ?? null,
    tags: t.tags,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
  };
}

export function campaignData(c: Pick<CampaignDoc, "_id" | "name" | "status" | "counters" | "completedAt">) {
  return { campaignId: c._id.toHexString(), name: c.name, status: c.status, counters: c.counters, completedAt: iso(c.completedAt) };
}
